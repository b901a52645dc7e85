package dev.amadeus.tokenizer;

import dev.amadeus.AmadeusException;
import dev.amadeus.gguf.GGUFFile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE as llama.cpp does it for {@code tokenizer.ggml.model = gpt2}: the pre-tokenizer chosen by
 * {@code tokenizer.ggml.pre} cuts the text into words, each word's UTF-8 bytes are mapped to printable
 * characters, and adjacent symbols merge lowest merge rank first.
 */
final class BpeTokenizer extends BaseTokenizer {
    /** The rank of merging two adjacent symbols, or -1 when they do not merge. */
    @FunctionalInterface
    interface MergeRanks {
        int rank(String left, String right);
    }

    private static final int WORD_CACHE_LIMIT = 1 << 16;

    private final PreTokenizer preTokenizer;
    private final MergeRanks ranks;
    private final boolean ignoreMerges;
    /** Ids of words already merged; words repeat a lot in real text. */
    private final Map<String, int[]> wordCache = new ConcurrentHashMap<>();

    BpeTokenizer(Vocabulary vocab, MergeRanks ranks) {
        super(vocab);
        this.preTokenizer = new PreTokenizer(vocab.bpePreset().patterns());
        this.ranks = ranks;
        this.ignoreMerges = vocab.bpePreset().ignoreMerges();
    }

    static BpeTokenizer fromGGUF(Vocabulary vocab, GGUFFile file) {
        if (!file.contains("tokenizer.ggml.merges")) {
            throw new AmadeusException(file.fileName() + ": tokenizer.ggml.merges is missing (required by tokenizer.ggml.model = 'gpt2')");
        }
        String[] merges = file.getStringArray("tokenizer.ggml.merges");
        Map<String, Integer> rankOf = HashMap.newHashMap(merges.length);
        for (int i = 0; i < merges.length; i++) {
            // "left right", split at the first space after the first character; a repeated pair keeps its first rank
            int space = merges[i].indexOf(' ', 1);
            String key = space < 0 ? " " : merges[i];
            rankOf.putIfAbsent(key, i);
        }
        return new BpeTokenizer(vocab, (left, right) -> {
            Integer rank = rankOf.get(left + ' ' + right);
            return rank == null ? -1 : rank;
        });
    }

    /**
     * Llama 3's special tokens, in id order after the 128000 ranked tokens: begin/end of text, reserved 0-3,
     * start/end header, reserved 4, eot, then reserved 5-250.
     */
    private static List<String> llama3SpecialTokens() {
        List<String> specials = new ArrayList<>(List.of("<|begin_of_text|>", "<|end_of_text|>",
                "<|reserved_special_token_0|>", "<|reserved_special_token_1|>", "<|reserved_special_token_2|>",
                "<|reserved_special_token_3|>", "<|start_header_id|>", "<|end_header_id|>",
                "<|reserved_special_token_4|>", "<|eot_id|>"));
        for (int i = 5; i <= 250; i++) specials.add("<|reserved_special_token_" + i + "|>");
        return specials;
    }

    static BpeTokenizer llama3FromTiktoken(Path rankFile) {
        List<String> lines;
        try {
            lines = Files.readAllLines(rankFile, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + rankFile, e);
        }
        Map<Integer, String> byRank = new HashMap<>();
        int maxRank = -1;
        for (String line : lines) {
            if (line.isBlank()) continue;
            String[] parts = line.trim().split(" ");
            if (parts.length != 2) throw new AmadeusException(rankFile.getFileName() + ": bad tiktoken line '" + line + "'");
            byte[] bytes = Base64.getDecoder().decode(parts[0]);
            int rank = Integer.parseInt(parts[1]);
            byRank.put(rank, ByteLevel.encode(bytes, 0, bytes.length));
            maxRank = Math.max(maxRank, rank);
        }
        int ranked = maxRank + 1;
        List<String> specials = llama3SpecialTokens();
        String[] texts = new String[ranked + specials.size()];
        int[] types = new int[texts.length];
        for (int i = 0; i < ranked; i++) {
            String t = byRank.get(i);
            if (t == null) throw new AmadeusException(rankFile.getFileName() + ": rank " + i + " is missing");
            texts[i] = t;
            types[i] = TokenType.NORMAL.ordinal();
        }
        for (int i = 0; i < specials.size(); i++) {
            texts[ranked + i] = specials.get(i);
            types[ranked + i] = TokenType.CONTROL.ordinal();
        }
        Vocabulary vocab = new Vocabulary(new Vocabulary.Source(Vocabulary.Model.BPE, "llama-3", "llama-bpe", texts, types,
                null, Map.of("bos", ranked, "eos", ranked + 1), null, null, null));
        // tiktoken merges the adjacent pair whose concatenation has the lowest rank, so a pair's merge
        // rank is the rank (id) of the token it forms
        return new BpeTokenizer(vocab, (left, right) -> {
            int id = vocab.id(left + right);
            return id >= 0 && id < ranked ? id : -1;
        });
    }

    @Override
    void encode(String text, List<Fragment> fragments, boolean addSpecial, PreTokenizer.IntList out) {
        if (addSpecial && vocab.addBos() && vocab.bos() >= 0) out.add(vocab.bos());
        for (Fragment f : fragments) {
            if (f.isToken()) {
                out.add(f.token());
                continue;
            }
            for (String word : preTokenizer.split(text.substring(f.start(), f.end()))) {
                for (int id : encodeWord(ByteLevel.encode(word))) out.add(id);
            }
        }
        if (addSpecial && vocab.addEos() && vocab.eos() >= 0) out.add(vocab.eos());
    }

    private int[] encodeWord(String word) {
        int[] cached = wordCache.get(word);
        if (cached != null) return cached;
        int[] ids = mergeWord(word);
        if (wordCache.size() >= WORD_CACHE_LIMIT) wordCache.clear();
        wordCache.put(word, ids);
        return ids;
    }

    private record Bigram(int rank, int left, int right, int size) {
    }

    /** Merges the byte-level characters of one word and returns its ids. */
    private int[] mergeWord(String word) {
        if (ignoreMerges) {
            int whole = vocab.id(word);
            if (whole >= 0) return new int[] {whole};
        }
        // byte-level characters are all in the BMP: one char per symbol
        int n = word.length();
        int[] length = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            length[i] = 1;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        // lowest rank first; equal ranks go leftmost first
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> a.rank() != b.rank()
                ? Integer.compare(a.rank(), b.rank()) : Integer.compare(a.left(), b.left()));
        for (int i = 1; i < n; i++) tryBigram(word, i - 1, i, length, queue);
        while (!queue.isEmpty()) {
            Bigram b = queue.poll();
            int l = b.left();
            int r = b.right();
            // skip pairs whose symbols have changed since they were queued
            if (length[l] == 0 || length[r] == 0 || length[l] + length[r] != b.size()) continue;
            length[l] += length[r];
            length[r] = 0;
            next[l] = next[r];
            if (next[r] >= 0) prev[next[r]] = l;
            tryBigram(word, prev[l], l, length, queue);
            tryBigram(word, l, next[l], length, queue);
        }
        PreTokenizer.IntList ids = new PreTokenizer.IntList();
        for (int i = n == 0 ? -1 : 0; i != -1; i = next[i]) {
            String symbol = word.substring(i, i + length[i]);
            int id = vocab.id(symbol);
            if (id >= 0) {
                ids.add(id);
                continue;
            }
            // llama.cpp's last resort: look up each byte of the symbol's text on its own, dropping misses
            for (int k = 0; k < symbol.length(); k++) {
                char c = symbol.charAt(k);
                int single = c < 0x80 ? vocab.id(String.valueOf(c)) : -1;
                if (single >= 0) ids.add(single);
            }
        }
        return ids.toArray();
    }

    private void tryBigram(String word, int left, int right, int[] length, PriorityQueue<Bigram> queue) {
        if (left < 0 || right < 0) return;
        // symbols are contiguous: a symbol starts at its index
        String l = word.substring(left, left + length[left]);
        String r = word.substring(right, right + length[right]);
        int rank = ranks.rank(l, r);
        if (rank < 0) return;
        queue.add(new Bigram(rank, left, right, length[left] + length[right]));
    }

    @Override
    byte[] normalPiece(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            int b = ByteLevel.decode(cp);
            if (b >= 0) {
                out.write(b);
            } else {
                // llama.cpp spells characters outside the byte map out like this
                StringBuilder unknown = new StringBuilder("[UNK_BYTE_0x");
                for (byte u : Character.toString(cp).getBytes(StandardCharsets.UTF_8)) unknown.append(String.format("%02x", u & 0xFF));
                unknown.append(text).append(']');
                out.writeBytes(unknown.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }
}
