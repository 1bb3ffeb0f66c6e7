package lb.core.testing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import lb.core.model.KeyExtractor;
import lb.core.model.Verdict;

/** A key extractor for tests: the client's first line is its key; the line "reject" is refused. */
public final class LineKey implements KeyExtractor {
    public static final String REJECT = "reject";

    @Override
    public Verdict inspect(ByteBuffer firstBytes) {
        for (int i = firstBytes.position(); i < firstBytes.limit(); i++) {
            if (firstBytes.get(i) == '\n') {
                byte[] line = new byte[i - firstBytes.position()];
                firstBytes.get(firstBytes.position(), line);
                String key = new String(line, StandardCharsets.US_ASCII);
                return key.equals(REJECT) ? Verdict.reject("test rule", null) : Verdict.route(key);
            }
        }
        return Verdict.NEED_MORE;
    }
}
