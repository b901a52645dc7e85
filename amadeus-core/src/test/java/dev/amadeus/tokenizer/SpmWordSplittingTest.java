package dev.amadeus.tokenizer;

import dev.amadeus.gguf.GGUFFile;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Merging SentencePiece text word by word must give exactly what merging the whole fragment gives. */
class SpmWordSplittingTest {

    @Test
    void wordByWordEqualsWholeFragment() throws IOException {
        Vocabulary vocab;
        try (GGUFFile file = GGUFFile.open(VocabTestVectors.file("ggml-vocab-llama-spm.gguf"))) {
            vocab = Vocabulary.fromGGUF(file);
        }
        SpmTokenizer fast = new SpmTokenizer(vocab, true);
        SpmTokenizer whole = new SpmTokenizer(vocab, false);
        for (String corpus : new String[] {"corpus/en", "corpus/de", "corpus/ja", "corpus/zh"}) {
            try (var files = Files.list(SharedData.file(corpus))) {
                for (var path : files.filter(p -> p.toString().endsWith(".txt")).sorted().limit(1).toList()) {
                    String text = Files.readString(path);
                    text = text.substring(0, Math.min(text.length(), 60_000));
                    assertArrayEquals(whole.encode(text, true, false), fast.encode(text, true, false), path.toString());
                }
            }
        }
        String spaces = "  a  \t b   c    d▁▁e ▁ f\n\n  g ";
        assertArrayEquals(whole.encode(spaces, false, false), fast.encode(spaces, false, false));
    }
}
