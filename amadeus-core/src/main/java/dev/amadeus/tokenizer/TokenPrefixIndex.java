package dev.amadeus.tokenizer;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Every token's bytes in sorted order, for the two questions token healing asks: which tokens start with
 * these bytes, and which tokens are a prefix of these bytes. Built once per tokenizer; tokens that render
 * as nothing (control tokens) are left out, so they can never satisfy a constraint.
 */
public final class TokenPrefixIndex {
    /** Token ids ordered by their bytes (unsigned lexicographic), ties by id. */
    private final int[] sortedIds;
    private final byte[][] sortedBytes;
    private final Map<ByteKey, int[]> idsByBytes = new HashMap<>();

    public TokenPrefixIndex(Tokenizer tokenizer) {
        int n = tokenizer.vocabulary().size();
        byte[][] bytes = new byte[n][];
        int count = 0;
        for (int id = 0; id < n; id++) {
            bytes[id] = tokenizer.tokenBytes(id, false);
            if (bytes[id].length > 0) count++;
        }
        Integer[] order = new Integer[count];
        for (int id = 0, i = 0; id < n; id++) if (bytes[id].length > 0) order[i++] = id;
        Arrays.sort(order, (a, b) -> {
            int c = Arrays.compareUnsigned(bytes[a], bytes[b]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        sortedIds = new int[count];
        sortedBytes = new byte[count][];
        for (int i = 0; i < count; i++) {
            sortedIds[i] = order[i];
            sortedBytes[i] = bytes[order[i]];
            idsByBytes.merge(new ByteKey(sortedBytes[i]), new int[]{order[i]}, TokenPrefixIndex::concat);
        }
    }

    /** Ids of the tokens whose bytes start with {@code prefix} (the empty prefix matches every token), ascending by bytes. */
    public int[] startingWith(byte[] prefix) {
        int from = lowerBound(prefix);
        int to = from;
        while (to < sortedBytes.length && startsWith(sortedBytes[to], prefix)) to++;
        return Arrays.copyOfRange(sortedIds, from, to);
    }

    /** Whether some token's bytes start with {@code prefix}. */
    public boolean anyStartsWith(byte[] prefix) {
        int at = lowerBound(prefix);
        return at < sortedBytes.length && startsWith(sortedBytes[at], prefix);
    }

    /** Ids of the tokens whose bytes are a proper, non-empty prefix of {@code text}, shortest first. */
    public int[] properPrefixesOf(byte[] text) {
        int[] result = new int[0];
        for (int length = 1; length < text.length; length++) {
            int[] ids = idsByBytes.get(new ByteKey(Arrays.copyOf(text, length)));
            if (ids != null) result = concat(result, ids);
        }
        return result;
    }

    /** The first position whose bytes are not below {@code key}. */
    private int lowerBound(byte[] key) {
        int low = 0;
        int high = sortedBytes.length;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (Arrays.compareUnsigned(sortedBytes[mid], key) < 0) low = mid + 1;
            else high = mid;
        }
        return low;
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private record ByteKey(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof ByteKey k && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }
}
