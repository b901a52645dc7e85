package dev.amadeus.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.amadeus.AmadeusException;
import dev.amadeus.gguf.GGUFFile;
import dev.amadeus.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code amadeus tokenize}: text to token ids with the model's own tokenizer. */
@Command(name = "tokenize", description = "Tokenize text with a model's vocabulary.")
final class TokenizeCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "GGUF file (a vocabulary-only file is enough).")
    Path model;

    @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT", description = "Text to tokenize (prints one id per line with its piece).")
    String prompt;

    @Option(names = "--jsonl", description = "Read one JSON string per stdin line; write one JSON array of ids per line.")
    boolean jsonl;

    @Option(names = "--special", description = "Parse special-token text (like <s> or <|im_start|>) into special tokens.")
    boolean parseSpecial;

    @Option(names = "--no-bos", description = "Do not add BOS (and EOS) even if the model asks for them.")
    boolean noBos;

    @Override
    public Integer call() throws IOException {
        if (jsonl == (prompt != null)) throw new AmadeusException("give either --jsonl or -p TEXT");
        try (GGUFFile file = GGUFFile.open(model)) {
            Tokenizer tokenizer = Tokenizer.fromGGUF(file);
            if (jsonl) {
                return jsonLines(tokenizer);
            }
            int[] ids = tokenizer.encode(prompt, !noBos, parseSpecial);
            var out = new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
            for (int id : ids) {
                out.printf("%6d -> '%s'%n", id, new String(tokenizer.tokenBytes(id, true), StandardCharsets.UTF_8));
            }
            out.flush();
            return 0;
        }
    }

    private int jsonLines(Tokenizer tokenizer) throws IOException {
        ObjectMapper json = new ObjectMapper();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
        String line;
        int lineNumber = 0;
        while ((line = in.readLine()) != null) {
            lineNumber++;
            JsonNode node;
            try {
                node = json.readTree(line);
            } catch (JsonProcessingException e) {
                throw new AmadeusException("stdin line " + lineNumber + ": not valid JSON: " + e.getOriginalMessage());
            }
            if (node == null || !node.isTextual()) {
                throw new AmadeusException("stdin line " + lineNumber + ": expected a JSON string");
            }
            int[] ids = tokenizer.encode(node.textValue(), !noBos, parseSpecial);
            out.write(json.writeValueAsString(ids));
            out.newLine();
            out.flush();
        }
        return 0;
    }
}
