package lb.core.proxy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The PROXY v2 vectors that tell a server about the client's TLS, as HAProxy sends them
 * (proxy-protocol.txt, section 2.2.5): ALPN, the server name as AUTHORITY, and one SSL vector.
 *
 * <pre>
 * PP2_TYPE_SSL (0x20) value:
 *   +--------+--------------------+---------------------------------------+
 *   | client | verify (u32, BE)   | sub-TLVs: type(1) length(2, BE) value |
 *   +--------+--------------------+---------------------------------------+
 *   client: 0x01 PP2_CLIENT_SSL | 0x02 PP2_CLIENT_CERT_CONN | 0x04 PP2_CLIENT_CERT_SESS
 *   verify: 0 when the client presented a certificate and it was verified, else non-zero
 *   sub-TLVs: 0x21 VERSION ("TLSv1.3"), 0x22 CN (client certificate), 0x23 CIPHER
 * </pre>
 */
public final class TlsTlvs {
    public static final int CLIENT_SSL = 0x01;
    public static final int CLIENT_CERT_CONN = 0x02;
    public static final int CLIENT_CERT_SESS = 0x04;
    public static final int SUBTYPE_VERSION = 0x21;
    public static final int SUBTYPE_CN = 0x22;
    public static final int SUBTYPE_CIPHER = 0x23;

    private TlsTlvs() {
    }

    /**
     * The SSL vector for a client that spoke TLS {@code version} with {@code cipher};
     * {@code clientCommonName} is its verified certificate's common name, or null if it sent
     * none (then {@code verify} is 1: not verified).
     */
    public static Tlv ssl(String version, String cipher, String clientCommonName) {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        boolean certified = clientCommonName != null;
        v.write(CLIENT_SSL | (certified ? CLIENT_CERT_CONN | CLIENT_CERT_SESS : 0));
        int verify = certified ? 0 : 1;
        v.write(verify >>> 24);
        v.write(verify >>> 16);
        v.write(verify >>> 8);
        v.write(verify);
        sub(v, SUBTYPE_VERSION, version);
        if (certified) {
            sub(v, SUBTYPE_CN, clientCommonName);
        }
        sub(v, SUBTYPE_CIPHER, cipher);
        return Tlv.of(Tlv.SSL, v.toByteArray());
    }

    /** The application protocol the client and the balancer agreed on (ALPN). */
    public static Tlv alpn(String protocol) {
        return Tlv.of(Tlv.ALPN, protocol.getBytes(StandardCharsets.US_ASCII));
    }

    private static void sub(ByteArrayOutputStream out, int type, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.write(type);
        out.write(bytes.length >>> 8);
        out.write(bytes.length);
        out.write(bytes, 0, bytes.length);
    }
}
