package lb.core.tls;

import java.io.ByteArrayOutputStream;

/**
 * The little of ASN.1 DER (ITU-T X.690 section 10) that key files need: walking the elements of
 * a structure, and wrapping a raw key into a PKCS#8 PrivateKeyInfo. Stateless; used at
 * configuration time only, so malformed input throws {@link IllegalArgumentException} with a
 * short description, which callers turn into a {@link KeyFileException} naming the file.
 *
 * <pre>
 * element:  tag (1 byte; low-tag-number form only)
 *           length: 0..127 in one byte, or 0x81..0x84 then that many big-endian bytes
 *           contents
 * </pre>
 */
final class Der {
    static final int INTEGER = 0x02;
    static final int BIT_STRING = 0x03;
    static final int OCTET_STRING = 0x04;
    static final int NULL = 0x05;
    static final int OID = 0x06;
    static final int SEQUENCE = 0x30;
    /** [0] EXPLICIT, constructed: SEC1's parameters. */
    static final int CONTEXT_0 = 0xA0;

    private Der() {
    }

    /** One element: its tag and where its contents lie in the array it was read from. */
    record Element(int tag, int start, int end) {
        int length() {
            return end - start;
        }
    }

    /** The element starting at {@code at}, which must end by {@code limit}. */
    static Element read(byte[] der, int at, int limit) {
        if (at + 2 > limit) {
            throw new IllegalArgumentException("DER element cut short");
        }
        int tag = der[at] & 0xFF;
        if ((tag & 0x1F) == 0x1F) {
            throw new IllegalArgumentException("DER high tag numbers are not expected here");
        }
        int first = der[at + 1] & 0xFF;
        int start = at + 2;
        long length = first;
        if (first > 0x80 && first <= 0x84) {
            int n = first - 0x80;
            if (start + n > limit) {
                throw new IllegalArgumentException("DER length cut short");
            }
            length = 0;
            for (int i = 0; i < n; i++) {
                length = length << 8 | der[start + i] & 0xFF;
            }
            start += n;
        } else if (first >= 0x80) {
            throw new IllegalArgumentException("DER length form 0x" + Integer.toHexString(first) + " not allowed");
        }
        if (length > limit - start) {
            throw new IllegalArgumentException("DER element of " + length + " bytes runs past its container");
        }
        return new Element(tag, start, start + (int) length);
    }

    /** The element at {@code at}, which must have tag {@code expected}. */
    static Element expect(byte[] der, int at, int limit, int expected, String what) {
        Element e = read(der, at, limit);
        if (e.tag != expected) {
            throw new IllegalArgumentException(what + ": expected DER tag 0x" + Integer.toHexString(expected)
                    + ", found 0x" + Integer.toHexString(e.tag));
        }
        return e;
    }

    /** The whole array as one SEQUENCE, with nothing after it. */
    static Element sequence(byte[] der, String what) {
        Element e = expect(der, 0, der.length, SEQUENCE, what);
        if (e.end != der.length) {
            throw new IllegalArgumentException(what + ": " + (der.length - e.end) + " bytes after the structure");
        }
        return e;
    }

    /** An element: {@code tag}, its length, then the concatenated {@code contents}. */
    static byte[] element(int tag, byte[]... contents) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] content : contents) {
            body.writeBytes(content);
        }
        int length = body.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream(length + 6);
        out.write(tag);
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = length < 0x100 ? 1 : length < 0x10000 ? 2 : length < 0x1000000 ? 3 : 4;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    static byte[] contents(byte[] der, Element e) {
        return java.util.Arrays.copyOfRange(der, e.start, e.end);
    }

    /** An OBJECT IDENTIFIER's contents in dotted form, for messages: "1.2.840.10045.3.1.7". */
    static String dotted(byte[] oid) {
        StringBuilder s = new StringBuilder();
        long value = 0;
        boolean first = true;
        for (byte b : oid) {
            value = value << 7 | b & 0x7F;
            if ((b & 0x80) != 0) {
                continue;
            }
            if (first) {
                int arc = value < 40 ? 0 : value < 80 ? 1 : 2;
                s.append(arc).append('.').append(value - 40L * arc);
                first = false;
            } else {
                s.append('.').append(value);
            }
            value = 0;
        }
        return s.toString();
    }
}
