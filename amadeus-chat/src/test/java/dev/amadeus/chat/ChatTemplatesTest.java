package dev.amadeus.chat;

import dev.amadeus.AmadeusException;
import dev.amadeus.model.Model;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ChatTemplatesTest {
    private static final List<ChatMessage> CHAT = List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi"));

    @Test
    void aModelWithoutATemplateGetsChatMl() {
        try (Model model = Model.load(SharedData.model("stories260K.gguf"))) {
            assertEquals(false, model.file().contains(ChatTemplates.METADATA_KEY));
            assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
                    ChatTemplates.resolve(model, null).render(CHAT, true));
        }
    }

    @Test
    void namedTemplatesUseTheModelsBosAndEos() {
        try (Model model = Model.load(SharedData.model("stories260K.gguf"))) {
            assertEquals("<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST]", ChatTemplates.resolve(model, "llama2").render(CHAT, true));
        }
    }

    @Test
    void theModelsOwnTemplateComesFirst() {
        String own = "{{ bos_token }}{% for m in messages %}[{{ m.role }}:{{ m.content }}]{% endfor %}{{ eos_token }}";
        assertEquals("<s>[system:Be brief.][user:Hi]</s>", ChatTemplates.resolve(null, own, "<s>", "</s>").render(CHAT, true));
        assertEquals("<|im_start|>user\nHi<|im_end|>\n", ChatTemplates.resolve(null, null, "<s>", "</s>").render(CHAT.subList(1, 2), false));
    }

    @Test
    void aFileIsReadAsJinja(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("mine.jinja");
        Files.writeString(file, "{% for m in messages %}{{ m.role | upper }}> {{ m.content }}\n{% endfor %}{% if add_generation_prompt %}AI>{% endif %}");
        assertEquals("SYSTEM> Be brief.\nUSER> Hi\nAI>", ChatTemplates.resolve(file.toString(), "ignored", "<s>", "</s>").render(CHAT, true));
    }

    @Test
    void anUnknownNameListsTheBuiltIns() {
        AmadeusException e = assertThrows(AmadeusException.class, () -> ChatTemplates.resolve("vicuna2", null, "<s>", "</s>"));
        assertEquals("unknown chat template 'vicuna2': neither a built-in (airoboros, alpaca, chatml, llama2, llama3, mistral, vicuna, zephyr) nor a file",
                e.getMessage());
    }
}
