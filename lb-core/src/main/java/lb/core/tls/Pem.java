package lb.core.tls;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Splits PEM text (RFC 7468) into its blocks. Stateless.
 *
 * <pre>
 * -----BEGIN label-----
 * Proc-Type: 4,ENCRYPTED          optional RFC 1421 headers, as OpenSSL writes for
 * DEK-Info: AES-256-CBC,...       its legacy encrypted keys; then one blank line
 *
 * base64 lines
 * -----END label-----
 * </pre>
 *
 * Text between blocks (OpenSSL's "Bag Attributes", comments) is ignored; inside a block the END
 * label must match the BEGIN one and the base64 must be strict (RFC 4648 alphabet, whitespace
 * between lines only).
 */
final class Pem {
    private static final String BEGIN = "-----BEGIN ";
    private static final String END = "-----END ";
    private static final String DASHES = "-----";

    private Pem() {
    }

    /**
     * One block.
     *
     * @param label     "CERTIFICATE", "PRIVATE KEY", "RSA PRIVATE KEY" ...
     * @param der       the decoded contents
     * @param encrypted whether an RFC 1421 header says so ("Proc-Type: 4,ENCRYPTED")
     */
    record Block(String label, byte[] der, boolean encrypted) {
    }

    /** The blocks in {@code text}, in order; {@code source} names the file in messages. */
    static List<Block> decode(String text, String source) throws KeyFileException {
        List<Block> blocks = new ArrayList<>();
        String[] lines = text.split("\r?\n|\r", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (!line.startsWith(BEGIN)) {
                continue;
            }
            if (!line.endsWith(DASHES) || line.length() < BEGIN.length() + DASHES.length()) {
                throw new KeyFileException(source, "line " + (i + 1) + " is not a PEM BEGIN line: " + line);
            }
            String label = line.substring(BEGIN.length(), line.length() - DASHES.length());
            String endLine = END + label + DASHES;
            StringBuilder base64 = new StringBuilder();
            boolean encrypted = false;
            boolean inHeaders = true;
            int begin = i;
            for (i++; ; i++) {
                if (i == lines.length) {
                    throw new KeyFileException(source, "no '" + endLine + "' after line " + (begin + 1));
                }
                String body = lines[i].strip();
                if (body.equals(endLine)) {
                    break;
                }
                if (body.startsWith(END) || body.startsWith(BEGIN)) {
                    throw new KeyFileException(source, "line " + (i + 1) + ": expected '" + endLine + "', found " + body);
                }
                if (inHeaders && body.indexOf(':') > 0) {
                    encrypted |= body.replace(" ", "").equalsIgnoreCase("Proc-Type:4,ENCRYPTED");
                    continue;
                }
                inHeaders = false;
                base64.append(body);
            }
            byte[] der;
            try {
                der = Base64.getDecoder().decode(base64.toString());
            } catch (IllegalArgumentException e) {
                throw new KeyFileException(source, "bad base64 in the " + label + " block at line " + (begin + 1), e);
            }
            if (der.length == 0) {
                throw new KeyFileException(source, "empty " + label + " block at line " + (begin + 1));
            }
            blocks.add(new Block(label, der, encrypted));
        }
        return blocks;
    }
}
