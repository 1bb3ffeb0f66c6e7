package lb.core.proxy;

/**
 * Which PROXY protocol header goes on the wire: what a server is configured to receive, or what a
 * frontend received.
 */
public enum ProxyFormat {
    /** The human-readable line of version 1 (spec section 2.1). Carries no TLVs, no LOCAL. */
    V1,
    /** The binary block of version 2 (spec section 2.2), with the header's TLVs. */
    V2,
    /**
     * Version 2 with a {@code PP2_TYPE_CRC32C} TLV over the whole header (section 2.2.3). When
     * decoding, this means the checksum was present and matched.
     */
    V2_CRC32C
}
