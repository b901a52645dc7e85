package dev.amadeus.chat;

import dev.amadeus.AmadeusException;
import dev.amadeus.chat.jinja.JinjaChatTemplate;
import dev.amadeus.gguf.GGUFFile;
import dev.amadeus.model.Model;
import dev.amadeus.tokenizer.Vocabulary;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the chat template to use for a model. */
public final class ChatTemplates {
    /** The GGUF metadata key holding a model's own Jinja chat template. */
    public static final String METADATA_KEY = "tokenizer.chat_template";

    private ChatTemplates() {
    }

    /**
     * The template {@code nameOrFile} names (a built-in template name or a Jinja file), or when it is null the
     * model's own {@code tokenizer.chat_template}, or ChatML when the model has none (as llama.cpp does).
     * {@code bos_token} and {@code eos_token} are the model's BOS and EOS texts.
     */
    public static ChatTemplate resolve(Model model, String nameOrFile) {
        GGUFFile file = model.file();
        String own = file.contains(METADATA_KEY) ? file.getString(METADATA_KEY) : null;
        Vocabulary vocab = model.tokenizer().vocabulary();
        return resolve(nameOrFile, own, tokenText(vocab, vocab.bos()), tokenText(vocab, vocab.eos()));
    }

    /**
     * As {@link #resolve(Model, String)} for a model whose own template is {@code modelTemplate} (null when it
     * has none) and whose BOS and EOS texts are given.
     */
    public static ChatTemplate resolve(String nameOrFile, String modelTemplate, String bosToken, String eosToken) {
        if (nameOrFile == null) {
            String source = modelTemplate != null && !modelTemplate.isBlank() ? modelTemplate : BuiltinTemplates.source("chatml").orElseThrow();
            return new JinjaChatTemplate(source, bosToken, eosToken);
        }
        var builtin = BuiltinTemplates.get(nameOrFile, bosToken, eosToken);
        if (builtin.isPresent()) return builtin.get();
        Path path = Path.of(nameOrFile);
        if (!Files.isRegularFile(path)) {
            throw new AmadeusException("unknown chat template '" + nameOrFile + "': neither a built-in ("
                    + String.join(", ", BuiltinTemplates.NAMES) + ") nor a file");
        }
        try {
            return new JinjaChatTemplate(Files.readString(path, StandardCharsets.UTF_8), bosToken, eosToken);
        } catch (CharacterCodingException e) {
            throw new AmadeusException("cannot read chat template " + path + ": not UTF-8 text");
        } catch (IOException e) {
            throw new AmadeusException("cannot read chat template " + path + ": " + e.getMessage());
        }
    }

    private static String tokenText(Vocabulary vocab, int id) {
        return id >= 0 && id < vocab.size() ? vocab.text(id) : "";
    }
}
