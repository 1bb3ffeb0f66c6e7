package lb.core.stick;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * Keys longer than the table's limit stick and count like short ones, kept as a digest that
 * collides with no short key and with no other long key, and is the same for the same key.
 */
class LongKeysTest {
    private static final int LIMIT = 16;
    private static final Duration IDLE = Duration.ofMinutes(1);

    private static LruStickTable table() {
        return new LruStickTable(1_000, IDLE, LIMIT, Duration.ofSeconds(10));
    }

    @Test
    void keysUpToTheLimitAreKeptAsTheyAreAndOneCharacterMoreAsADigest() {
        LruStickTable table = table();
        String under = "k".repeat(LIMIT - 1);
        String at = "k".repeat(LIMIT);
        String over = "k".repeat(LIMIT + 1);
        assertSame(under, table.tableKey(under));
        assertSame(at, table.tableKey(at));
        String digest = table.tableKey(over);
        assertEquals(KeyDigest.LENGTH, digest.length());
        assertEquals(KeyDigest.MARKER, digest.charAt(0));

        assertTrue(table.store(under, "a", 1));
        assertTrue(table.store(at, "b", 1));
        assertTrue(table.store(over, "c", 1));
        assertEquals("a", table.lookup(under, 2));
        assertEquals("b", table.lookup(at, 2));
        assertEquals("c", table.lookup(over, 2), "the long key sticks");
        assertEquals("c", table.lookup(digest, 2), "its digest is the same key");
        assertEquals(3, table.size());
        Set<String> kept = new HashSet<>();
        table.forEach(3, e -> kept.add(e.key()));
        assertEquals(Set.of(under, at, digest), kept, "the table holds the digest, not the 17 characters");
    }

    @Test
    void theLimitCountsCharactersSoMultiByteKeysUpToItAreKeptAsTheyAre() {
        LruStickTable table = table();
        String accented = "é".repeat(LIMIT); // 32 bytes of UTF-8, 16 characters
        assertEquals(2 * LIMIT, accented.getBytes(StandardCharsets.UTF_8).length);
        assertSame(accented, table.tableKey(accented));
        String emoji = "k".repeat(LIMIT - 1) + "\uD83D\uDE00"; // a surrogate pair: two characters
        String emojiDigest = table.tableKey(emoji);
        assertNotEquals(emoji, emojiDigest);
        String otherEmoji = "k".repeat(LIMIT - 1) + "\uD83D\uDE01";
        assertNotEquals(emojiDigest, table.tableKey(otherEmoji), "the last code unit matters");
        table.store(emoji, "a", 1);
        table.store(otherEmoji, "b", 1);
        assertEquals("a", table.lookup(emoji, 2));
        assertEquals("b", table.lookup(otherEmoji, 2));
    }

    @Test
    void aLongKeyIsCountedForTheRateRulesAndReleasedLikeAShortOne() {
        LruStickTable table = table();
        String longKey = "device-".repeat(150); // 1,050 characters
        for (int i = 1; i <= 3; i++) {
            assertEquals(i, table.countConnection(longKey, i));
        }
        assertEquals(3, table.connections(table.tableKey(longKey), 4), "counted under its digest");
        assertEquals(3, table.connectionRate(longKey, 4));
        table.releaseConnection(table.tableKey(longKey), 5);
        assertEquals(2, table.connections(longKey, 6));
        assertEquals(1, table.size());
        assertTrue(table.remove(longKey));
        assertEquals(0, table.size());
    }

    @Test
    void keysThatShareTheirFirstCharactersUpToTheLimitStayApart() {
        LruStickTable table = table();
        String prefix = "x".repeat(LIMIT);
        table.countConnection(prefix + "-1", 1);
        table.countConnection(prefix + "-1", 2);
        assertEquals(1, table.countConnection(prefix + "-2", 3), "no pooled counter, as truncation would make");
        assertEquals(1, table.countConnection(prefix, 4));
    }

    @Test
    void unpairedSurrogatesThatUtf8WouldReplaceAlikeStillGiveDifferentDigests() {
        String a = "k".repeat(LIMIT) + '\uD800';
        String b = "k".repeat(LIMIT) + '\uD801';
        assertEquals(new String(a.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8),
                new String(b.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
        assertNotEquals(table().tableKey(a), table().tableKey(b));
    }

    @Test
    void aDigestIsKeptAsItIsEvenByATableWithASmallerLimit() {
        String digest = table().tableKey("k".repeat(100));
        LruStickTable tiny = new LruStickTable(10, IDLE, 4);
        assertSame(digest, tiny.tableKey(digest));
        assertTrue(tiny.store(digest, "a", 1), "carried over by a reconfiguration");
        assertEquals("a", tiny.lookup("k".repeat(100), 2));
    }

    @Provide
    Arbitrary<List<String>> longKeys() {
        return Arbitraries.strings().all().ofMinLength(LIMIT + 1).ofMaxLength(400).list().ofMinSize(2).ofMaxSize(40);
    }

    @Property(tries = 300)
    void distinctLongKeysGetDistinctTableKeysAndOneKeyAlwaysTheSame(@ForAll("longKeys") List<String> keys) {
        LruStickTable table = table();
        List<String> tableKeys = new ArrayList<>();
        Set<String> distinctKeys = new HashSet<>(keys);
        Set<String> distinctTableKeys = new HashSet<>();
        for (String k : keys) {
            String t = table.tableKey(k);
            tableKeys.add(t);
            distinctTableKeys.add(t);
            assertEquals(t, table.tableKey(new String(k.toCharArray())), "the same key, another string: the same digest");
            assertEquals(KeyDigest.LENGTH, t.length());
        }
        assertEquals(distinctKeys.size(), distinctTableKeys.size());
        for (int i = 0; i < keys.size(); i++) {
            table.store(keys.get(i), "s" + i, 1);
        }
        for (int i = keys.size() - 1; i >= 0; i--) {
            assertEquals("s" + keys.lastIndexOf(keys.get(i)), table.lookup(keys.get(i), 2));
        }
    }

    @Property(tries = 300)
    void noKeyReadFromUtf8TextOrBytesCanPassForADigest(@ForAll("shortKeys") List<String> keys) {
        LruStickTable wide = new LruStickTable(1_000, IDLE, 1_000);
        for (String k : keys) {
            assertTrue(k.isEmpty() || k.charAt(0) != KeyDigest.MARKER, "real keys never begin with the marker");
            assertSame(k, wide.tableKey(k));
        }
    }

    @Test
    void aShortKeySpellingADigestWithoutItsMarkerIsJustAKey() {
        LruStickTable wide = new LruStickTable(1_000, IDLE, 64);
        String longKey = "k".repeat(100);
        String digest = wide.tableKey(longKey);
        String spelled = digest.substring(1); // "sha256:..." as a client could send it
        wide.store(longKey, "a", 1);
        wide.store(spelled, "b", 1);
        assertEquals("a", wide.lookup(longKey, 2));
        assertEquals("b", wide.lookup(spelled, 2));
    }

    @Provide
    Arbitrary<List<String>> shortKeys() {
        // what real keys are made of: text read from UTF-8, or bytes as Latin-1
        Arbitrary<String> text = Arbitraries.strings().all().ofMaxLength(LIMIT)
                .edgeCases(e -> e.add(KeyDigest.MARKER + "sha256:"))
                .map(s -> new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                .filter(s -> s.length() <= LIMIT);
        Arbitrary<String> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(LIMIT)
                .map(b -> StickTable.bytesKey(b, 0, b.length));
        return Arbitraries.oneOf(text, bytes).list().ofMaxSize(40);
    }
}
