package lb.core.tls;

import java.util.List;
import java.util.Objects;

/**
 * What a passthrough route needs from a client's ClientHello, read without terminating TLS.
 * Immutable; compares by value.
 *
 * @param serverName           the server_name extension's host_name (RFC 6066 section 3), in
 *                             lower case; null when the client sent none
 * @param applicationProtocols the ALPN protocol names the client offers, in its order of
 *                             preference (RFC 7301 section 3.1), each byte read as one ISO-8859-1
 *                             character; empty when it sent no ALPN extension
 * @param legacyVersion        the hello's legacy_version field, e.g. {@code 0x0303}
 * @param supportedVersions    the supported_versions extension (RFC 8446 section 4.2.1) in the
 *                             client's order, GREASE values included; empty when absent
 */
public record ClientHello(String serverName, List<String> applicationProtocols, int legacyVersion,
                          List<Integer> supportedVersions) {
    public static final int TLS_1_0 = 0x0301;
    public static final int TLS_1_1 = 0x0302;
    public static final int TLS_1_2 = 0x0303;
    public static final int TLS_1_3 = 0x0304;

    public ClientHello {
        applicationProtocols = List.copyOf(applicationProtocols);
        supportedVersions = List.copyOf(supportedVersions);
        if (legacyVersion < 0 || legacyVersion > 0xFFFF) {
            throw new IllegalArgumentException("legacyVersion is 16 bits, was " + legacyVersion);
        }
    }

    /**
     * The highest TLS version the client offers: from supported_versions when present (GREASE
     * values, {@code 0x?A?A}, skipped), else legacy_version, as a TLS 1.3 server decides
     * (RFC 8446 section 4.2.1).
     */
    public int highestVersion() {
        if (supportedVersions.isEmpty()) {
            return legacyVersion;
        }
        int highest = 0;
        for (int version : supportedVersions) {
            if (!isGrease(version) && version > highest) {
                highest = version;
            }
        }
        return highest;
    }

    /** Whether the client offers ALPN protocol {@code name}, e.g. "mqtt". */
    public boolean offers(String name) {
        return applicationProtocols.contains(Objects.requireNonNull(name, "name"));
    }

    /** GREASE values (RFC 8701 section 2): 0x0A0A, 0x1A1A, ... 0xFAFA. */
    static boolean isGrease(int value) {
        return (value & 0x0F0F) == 0x0A0A && (value >>> 8) == (value & 0xFF);
    }
}
