package dev.amadeus.tokenizer;

import dev.amadeus.gguf.GGUFFile;

import java.nio.file.Path;

/**
 * Text to token ids and back, matching llama.cpp's tokenizers (SentencePiece-style, byte-level BPE and
 * WordPiece) including its special-token handling and detokenization rules.
 */
public interface Tokenizer {

    /** The tokenizer a GGUF file describes; {@code tokenizer.ggml.model} picks the algorithm. */
    static Tokenizer fromGGUF(GGUFFile file) {
        Vocabulary vocabulary = Vocabulary.fromGGUF(file);
        return switch (vocabulary.model()) {
            case SPM -> new SpmTokenizer(vocabulary);
            case BPE -> BpeTokenizer.fromGGUF(vocabulary, file);
            case WPM -> new WpmTokenizer(vocabulary);
        };
    }

    /**
     * A Llama-3 tokenizer built from Meta's tiktoken rank file ({@code tokenizer.model}: base64 token bytes
     * and rank per line), with Llama 3's 256 special tokens appended. It behaves like a GGUF with
     * {@code tokenizer.ggml.pre = llama-bpe}.
     */
    static Tokenizer llama3FromTiktoken(Path rankFile) {
        return BpeTokenizer.llama3FromTiktoken(rankFile);
    }

    /**
     * The token ids of {@code text}.
     *
     * @param addSpecial   add BOS and/or EOS as the vocabulary asks (WordPiece: always CLS ... SEP)
     * @param parseSpecial recognise control tokens such as {@code <s>} written in the text; user-defined
     *                     tokens are recognised either way
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    Vocabulary vocabulary();

    /**
     * The bytes a token stands for (llama.cpp {@code token_to_piece} without leading-space stripping). A
     * piece can be part of a UTF-8 character; control and unknown tokens give nothing unless
     * {@code renderSpecial}.
     */
    byte[] tokenBytes(int id, boolean renderSpecial);

    /**
     * The text of a token sequence as llama.cpp's {@code detokenize} builds it: the leading space of a
     * SentencePiece first token is dropped, BOS/EOS are dropped when {@code removeSpecial}, and BPE/WordPiece
     * vocabularies tidy spaces before punctuation. Invalid UTF-8 becomes U+FFFD.
     */
    String decode(int[] ids, boolean removeSpecial, boolean renderSpecial);
}
