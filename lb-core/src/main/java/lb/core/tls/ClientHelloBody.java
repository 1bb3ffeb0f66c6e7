package lb.core.tls;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The body of a ClientHello, read in place between two offsets of a buffer that holds all of
 * it. Stateless.
 *
 * <pre>
 * ClientHello (RFC 8446 section 4.1.2; RFC 5246 section 7.4.1.2)
 * bytes  field
 *   2    legacy_version                   major 3; 3.3 in a TLS 1.3 hello
 *  32    random
 * 1+n    legacy_session_id                n &lt;= 32
 * 2+n    cipher_suites                    n even, n &gt;= 2
 * 1+n    legacy_compression_methods       n &gt;= 1
 * 2+n    extensions                       may be absent altogether before TLS 1.3; each:
 *          2  extension_type                no type twice (RFC 8446 section 4.2)
 *          2  extension_data length
 *          n  extension_data
 *
 * server_name, type 0 (RFC 6066 section 3)
 * 2+n    server_name_list                 n &gt;= 1; each entry:
 *          1  name_type                     0 = host_name; no type twice
 *        2+n  name                          n &gt;= 1
 *
 * application_layer_protocol_negotiation, type 16 (RFC 7301 section 3.1)
 * 2+n    protocol_name_list               n &gt;= 2; each: 1+n name, n &gt;= 1
 *
 * supported_versions, type 43 (RFC 8446 section 4.2.1)
 * 1+n    versions                         n even, 2 &lt;= n &lt;= 254
 * </pre>
 *
 * <p>Every length must fit inside its container, and the last item of every list must end
 * exactly where its container ends. A host_name must be a DNS name in ASCII: letters, digits,
 * hyphens and underscores in dot-separated labels of 1 to 63 characters, at most 253 in all,
 * with no trailing dot (section 3 says "without a trailing dot"); it is returned in lower case.
 */
final class ClientHelloBody {
    /** legacy_version, random, the three length prefixes, one cipher suite, one compression method. */
    static final int MIN_BYTES = 2 + 32 + 1 + 2 + 2 + 1 + 1;

    private static final int SERVER_NAME = 0;
    private static final int ALPN = 16;
    private static final int SUPPORTED_VERSIONS = 43;
    private static final int HOST_NAME = 0;
    private static final int MAX_SESSION_ID_BYTES = 32;
    private static final int MAX_HOST_NAME_CHARS = 253;
    private static final int MAX_LABEL_CHARS = 63;

    private ClientHelloBody() {
    }

    /**
     * Reads the body in {@code in[from, to)}; {@code wireLength} is passed through to the
     * result. Never throws for any content.
     */
    static HelloResult parse(ByteBuffer in, int from, int to, int wireLength) {
        int at = from;
        int legacyVersion = ClientHelloParser.u16(in, at);
        if (legacyVersion >>> 8 != 3) {
            return HelloResult.malformed("legacy_version 0x" + Integer.toHexString(legacyVersion) + " is not TLS");
        }
        at += 2 + 32;
        int sessionId = in.get(at) & 0xFF;
        if (sessionId > MAX_SESSION_ID_BYTES) {
            return HelloResult.malformed("legacy_session_id of " + sessionId + " bytes, over 32");
        }
        at += 1 + sessionId;
        if (at + 2 > to) {
            return overrun("legacy_session_id");
        }
        int suites = ClientHelloParser.u16(in, at);
        if (suites < 2 || suites % 2 != 0) {
            return HelloResult.malformed("cipher_suites of " + suites + " bytes");
        }
        at += 2 + suites;
        if (at + 1 > to) {
            return overrun("cipher_suites");
        }
        int compressions = in.get(at) & 0xFF;
        if (compressions == 0) {
            return HelloResult.malformed("no legacy_compression_methods");
        }
        at += 1 + compressions;
        if (at > to) {
            return overrun("legacy_compression_methods");
        }
        Extensions found = new Extensions();
        if (at < to) { // RFC 5246 section 7.4.1.2: extensions are known present by bytes that follow
            if (at + 2 > to) {
                return HelloResult.malformed("1 byte after legacy_compression_methods");
            }
            int length = ClientHelloParser.u16(in, at);
            at += 2;
            if (at + length != to) {
                return HelloResult.malformed("extensions of " + length + " bytes in " + (to - at) + " left");
            }
            String problem = found.read(in, at, to);
            if (problem != null) {
                return HelloResult.malformed(problem);
            }
        }
        ClientHello hello = new ClientHello(found.serverName, found.protocols, legacyVersion, found.versions);
        return HelloResult.hello(hello, wireLength);
    }

    private static HelloResult overrun(String field) {
        return HelloResult.malformed(field + " runs past the end of the ClientHello");
    }

    /** The extensions block, read once; each reader answers a problem, or null when fine. */
    private static final class Extensions {
        String serverName;
        List<String> protocols = List.of();
        List<Integer> versions = List.of();

        String read(ByteBuffer in, int at, int end) {
            int[] types = new int[(end - at) / 4];
            int count = 0;
            while (at < end) {
                if (at + 4 > end) {
                    return "extension header runs past the extensions";
                }
                int type = ClientHelloParser.u16(in, at);
                int length = ClientHelloParser.u16(in, at + 2);
                int data = at + 4;
                if (data + length > end) {
                    return "extension " + type + " of " + length + " bytes runs past the extensions";
                }
                types[count++] = type;
                String problem = switch (type) {
                    case SERVER_NAME -> readServerName(in, data, data + length);
                    case ALPN -> readProtocols(in, data, data + length);
                    case SUPPORTED_VERSIONS -> readVersions(in, data, data + length);
                    default -> null;
                };
                if (problem != null) {
                    return problem;
                }
                at = data + length;
            }
            Arrays.sort(types, 0, count);
            for (int i = 1; i < count; i++) {
                if (types[i] == types[i - 1]) {
                    return "extension " + types[i] + " appears twice";
                }
            }
            return null;
        }

        private String readServerName(ByteBuffer in, int at, int end) {
            String list = listLength("server_name", in, at, end, 2, 1);
            if (list != null) {
                return list;
            }
            boolean[] seenTypes = new boolean[256];
            for (at += 2; at < end; ) {
                if (at + 3 > end) {
                    return "server_name entry runs past its list";
                }
                int nameType = in.get(at) & 0xFF;
                int length = ClientHelloParser.u16(in, at + 1);
                int name = at + 3;
                if (length == 0 || name + length > end) {
                    return "server_name entry of " + length + " bytes in " + (end - name) + " left";
                }
                if (seenTypes[nameType]) {
                    return "server_name type " + nameType + " appears twice";
                }
                seenTypes[nameType] = true;
                if (nameType == HOST_NAME) {
                    serverName = hostName(in, name, name + length);
                    if (serverName == null) {
                        return "server_name host_name is not a DNS name";
                    }
                }
                at = name + length;
            }
            return null;
        }

        private String readProtocols(ByteBuffer in, int at, int end) {
            String list = listLength("ALPN", in, at, end, 2, 2);
            if (list != null) {
                return list;
            }
            List<String> names = new ArrayList<>(4);
            for (at += 2; at < end; ) {
                int length = in.get(at) & 0xFF;
                if (length == 0 || at + 1 + length > end) {
                    return "ALPN protocol name of " + length + " bytes in " + (end - at - 1) + " left";
                }
                byte[] name = new byte[length];
                in.get(at + 1, name);
                names.add(new String(name, StandardCharsets.ISO_8859_1));
                at += 1 + length;
            }
            protocols = names;
            return null;
        }

        private String readVersions(ByteBuffer in, int at, int end) {
            String list = listLength("supported_versions", in, at, end, 1, 2);
            if (list != null) {
                return list;
            }
            int length = end - at - 1;
            if (length % 2 != 0) {
                return "supported_versions of " + length + " bytes, not a whole number of versions";
            }
            List<Integer> read = new ArrayList<>(length / 2);
            for (at += 1; at < end; at += 2) {
                read.add(ClientHelloParser.u16(in, at));
            }
            versions = read;
            return null;
        }

        /**
         * An extension holding one list: its {@code prefixBytes}-byte length must be at least
         * {@code min} and fill the extension exactly.
         */
        private static String listLength(String name, ByteBuffer in, int at, int end, int prefixBytes, int min) {
            if (end - at < prefixBytes) {
                return name + " extension of " + (end - at) + " bytes";
            }
            int length = prefixBytes == 1 ? in.get(at) & 0xFF : ClientHelloParser.u16(in, at);
            if (length < min || at + prefixBytes + length != end) {
                return name + " list of " + length + " bytes in an extension of " + (end - at);
            }
            return null;
        }
    }

    /** The host name in {@code in[from, to)} in lower case, or null if it is not a DNS name. */
    private static String hostName(ByteBuffer in, int from, int to) {
        if (to - from > MAX_HOST_NAME_CHARS) {
            return null;
        }
        char[] name = new char[to - from];
        int label = 0;
        for (int i = 0; i < name.length; i++) {
            int c = in.get(from + i) & 0xFF;
            if (c == '.') {
                if (label == 0) {
                    return null; // empty label: leading dot, two dots, or a trailing one below
                }
                label = 0;
            } else if (c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
                label++;
            } else if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
                label++;
            } else {
                return null;
            }
            if (label > MAX_LABEL_CHARS) {
                return null;
            }
            name[i] = (char) c;
        }
        return label == 0 ? null : new String(name);
    }
}
