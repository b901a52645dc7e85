package dev.amadeus.chat;

import dev.amadeus.AmadeusException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The exact prompt of every built-in format, with and without a system prompt (persona). */
class BuiltinTemplatesTest {
    private static final List<ChatMessage> PERSONA = List.of(ChatMessage.system("You are a pirate."),
            ChatMessage.user("Hi"), ChatMessage.assistant("Ahoy!"), ChatMessage.user("Where is the gold?"));
    private static final List<ChatMessage> PLAIN = PERSONA.subList(1, 4);

    private static String render(String name, List<ChatMessage> messages, boolean addGenerationPrompt) {
        return BuiltinTemplates.get(name, "<s>", "</s>").orElseThrow().render(messages, addGenerationPrompt);
    }

    @Test
    void chatml() {
        assertEquals("<|im_start|>system\nYou are a pirate.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nAhoy!<|im_end|>\n"
                + "<|im_start|>user\nWhere is the gold?<|im_end|>\n<|im_start|>assistant\n", render("chatml", PERSONA, true));
        assertEquals("<|im_start|>user\nHi<|im_end|>\n", render("chatml", PLAIN.subList(0, 1), false));
    }

    @Test
    void llama3() {
        assertEquals("<s><|start_header_id|>system<|end_header_id|>\n\nYou are a pirate.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nAhoy!<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nWhere is the gold?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
                render("llama3", PERSONA, true));
    }

    @Test
    void zephyr() {
        assertEquals("<|system|>\nYou are a pirate.</s>\n<|user|>\nHi</s>\n<|assistant|>\nAhoy!</s>\n<|user|>\nWhere is the gold?</s>\n<|assistant|>\n",
                render("zephyr", PERSONA, true));
    }

    @Test
    void llama2PutsTheSystemPromptInTheFirstUserTurn() {
        assertEquals("<s>[INST] <<SYS>>\nYou are a pirate.\n<</SYS>>\n\nHi [/INST] Ahoy! </s><s>[INST] Where is the gold? [/INST]",
                render("llama2", PERSONA, true));
        assertEquals("<s>[INST] Hi [/INST] Ahoy! </s><s>[INST] Where is the gold? [/INST]", render("llama2", PLAIN, true));
    }

    @Test
    void mistralPutsTheSystemPromptBeforeTheLastUserMessage() {
        assertEquals("<s>[INST] Hi [/INST] Ahoy!</s>[INST] You are a pirate.\n\nWhere is the gold? [/INST]", render("mistral", PERSONA, true));
        assertEquals("<s>[INST] Hi [/INST] Ahoy!</s>[INST] Where is the gold? [/INST]", render("mistral", PLAIN, true));
    }

    @Test
    void vicunaReplacesItsSystemLine() {
        assertEquals("You are a pirate. USER: Hi ASSISTANT: Ahoy!</s>USER: Where is the gold? ASSISTANT:", render("vicuna", PERSONA, true));
        assertEquals("A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, detailed, "
                + "and polite answers to the user's questions. USER: Hi ASSISTANT: Ahoy!</s>USER: Where is the gold? ASSISTANT:", render("vicuna", PLAIN, true));
    }

    @Test
    void alpaca() {
        assertEquals("You are a pirate.\n\n### Instruction:\nHi\n\n### Response:\nAhoy!</s>\n\n### Instruction:\nWhere is the gold?\n\n### Response:\n",
                render("alpaca", PERSONA, true));
        assertEquals("Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n"
                + "### Instruction:\nHi\n\n", render("alpaca", PLAIN.subList(0, 1), false));
    }

    @Test
    void airoboros() {
        assertEquals("You are a pirate.\nUSER: Hi\nASSISTANT: Ahoy!\nUSER: Where is the gold?\nASSISTANT: ", render("airoboros", PERSONA, true));
        assertEquals("A chat.\nUSER: Hi\nASSISTANT: Ahoy!\nUSER: Where is the gold?\nASSISTANT: ", render("airoboros", PLAIN, true));
    }

    @Test
    void turnsThatDoNotAlternateAreRefused() {
        AmadeusException e = assertThrows(AmadeusException.class,
                () -> render("llama2", List.of(ChatMessage.user("a"), ChatMessage.user("b")), true));
        assertEquals("chat template: llama2: after an optional system message, turns must alternate user/assistant/user/...", e.getMessage());
        AmadeusException late = assertThrows(AmadeusException.class,
                () -> render("vicuna", List.of(ChatMessage.user("a"), ChatMessage.system("b")), true));
        assertEquals("chat template: vicuna: only the first message may be a system message, got a system message later", late.getMessage());
    }

    @Test
    void everyNameHasATemplate() {
        for (String name : BuiltinTemplates.NAMES) assertEquals(true, BuiltinTemplates.source(name).isPresent(), name);
        assertEquals(false, BuiltinTemplates.source("nope").isPresent());
    }
}
