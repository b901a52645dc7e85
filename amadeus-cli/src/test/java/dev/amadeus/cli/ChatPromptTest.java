package dev.amadeus.cli;

import dev.amadeus.testing.LlamaCpp;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code generate --chat}: the prompt goes through a chat template as one user turn. */
class ChatPromptTest {
    private static final Pattern PROMPT_TOKENS = Pattern.compile("prompt (\\d+) tokens, context");
    private final String stories = SharedData.model("stories260K.gguf").toString();

    @Test
    void builtInTemplateWithAPersonaEqualsTheRenderedPrompt(@TempDir Path dir) throws IOException {
        Cli.Result chat = Cli.run("generate", "-m", stories, "-p", "Once upon a time", "-n", "12", "--temp", "0",
                "--chat", "--chat-template", "vicuna", "--system", "Tell a story.");
        assertEquals(0, chat.exitCode(), chat.stderr());
        Cli.Result plain = Cli.run("generate", "-m", stories, "-p", "Tell a story. USER: Once upon a time ASSISTANT:", "-n", "12", "--temp", "0");
        assertEquals(0, plain.exitCode(), plain.stderr());
        assertEquals(plain.stdout(), chat.stdout());
        assertEquals(promptTokens(plain), promptTokens(chat));

        Path persona = dir.resolve("persona.txt");
        Files.writeString(persona, "Tell a story.");
        Cli.Result fromFile = Cli.run("generate", "-m", stories, "-p", "Once upon a time", "-n", "12", "--temp", "0",
                "--chat", "--chat-template", "vicuna", "--system-file", persona.toString());
        assertEquals(0, fromFile.exitCode(), fromFile.stderr());
        assertEquals(chat.stdout(), fromFile.stdout());
    }

    @Test
    void theModelsOwnTemplateWritesBosSoNoSecondOneIsAdded(@TempDir Path dir) {
        // A random-weight Phi-3 carrying Phi-3's vocabulary and chat template ("{{ bos_token }}" first, BOS added by default).
        Path vocab = SharedData.file("testdata/tokenizer/ggml-vocab-phi-3.gguf");
        Path model = dir.resolve("phi3.gguf");
        Cli.Result synth = Cli.run("synth", "--shape", "tiny-phi3", "--type", "F32", "--vocab", vocab.toString(), "-o", model.toString(), "--layers", "1");
        assertEquals(0, synth.exitCode(), synth.stderr());

        String rendered = "<s><|user|>\nHi<|end|>\n<|assistant|>\n";
        int[] expected;
        try (LlamaCpp ref = LlamaCpp.loadVocabulary(vocab)) {
            expected = ref.tokenize(rendered, false, true);
            assertEquals(ref.bos(), expected[0]);
            assertTrue(expected[1] != ref.bos());
        }
        Cli.Result chat = Cli.run("generate", "-m", model.toString(), "-p", "Hi", "-n", "6", "--temp", "0", "--chat");
        assertEquals(0, chat.exitCode(), chat.stderr());
        assertEquals(expected.length, promptTokens(chat));
        Cli.Result plain = Cli.run("generate", "-m", model.toString(), "-p", rendered, "-n", "6", "--temp", "0", "--special", "--no-bos");
        assertEquals(0, plain.exitCode(), plain.stderr());
        assertEquals(plain.stdout(), chat.stdout());
    }

    @Test
    void badChatOptionsGiveOneLine(@TempDir Path dir) throws IOException {
        Cli.Result unknown = Cli.run("generate", "-m", stories, "-p", "Hi", "--chat", "--chat-template", "vicuna2");
        assertEquals(1, unknown.exitCode());
        assertEquals("amadeus: unknown chat template 'vicuna2': neither a built-in (airoboros, alpaca, chatml, llama2, llama3, mistral, "
                + "vicuna, zephyr) nor a file", unknown.stderr().strip());

        Cli.Result noChat = Cli.run("generate", "-m", stories, "-p", "Hi", "--system", "Be brief.");
        assertEquals(1, noChat.exitCode());
        assertEquals("amadeus: --chat-template, --system and --system-file apply to chat prompts: add --chat", noChat.stderr().strip());

        Path strict = dir.resolve("strict.jinja");
        Files.writeString(strict, "{% if messages[0].role == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}");
        Cli.Result raised = Cli.run("generate", "-m", stories, "-p", "Hi", "--chat", "--chat-template", strict.toString(), "--system", "x");
        assertEquals(1, raised.exitCode());
        assertEquals("amadeus: chat template: System role not supported", raised.stderr().strip());
    }

    private static int promptTokens(Cli.Result r) {
        Matcher m = PROMPT_TOKENS.matcher(r.stderr());
        assertTrue(m.find(), r.stderr());
        return Integer.parseInt(m.group(1));
    }
}
