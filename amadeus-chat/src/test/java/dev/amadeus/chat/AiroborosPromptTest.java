package dev.amadeus.chat;

import dev.amadeus.AmadeusException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AiroborosPromptTest {

    @Test
    void closedContextBlocks() {
        AiroborosPrompt prompt = AiroborosPrompt.builder()
                .input("In a shocking turn of events, blueberries are now green.", "date", "2021-01-01", "url", "https://web.site/123")
                .input("Strawberries stay red.")
                .instruction("What color are blueberries?")
                .instruction("Source?")
                .build();
        assertEquals("""
                BEGININPUT
                BEGINCONTEXT
                date: 2021-01-01
                url: https://web.site/123
                ENDCONTEXT
                In a shocking turn of events, blueberries are now green.
                ENDINPUT
                BEGININPUT
                Strawberries stay red.
                ENDINPUT
                BEGININSTRUCTION
                What color are blueberries?
                Source?
                ENDINSTRUCTION""", prompt.text());
    }

    @Test
    void goesThroughTheAiroborosChatFormatAsAUserTurn() {
        AiroborosPrompt prompt = AiroborosPrompt.builder().input("The sky is green.", "source", "notes").instruction("What color is the sky?").build();
        String rendered = BuiltinTemplates.get("airoboros", "<s>", "</s>").orElseThrow()
                .render(List.of(ChatMessage.system("A chat."), prompt.toMessage()), true);
        assertEquals("A chat.\nUSER: BEGININPUT\nBEGINCONTEXT\nsource: notes\nENDCONTEXT\nThe sky is green.\nENDINPUT\n"
                + "BEGININSTRUCTION\nWhat color is the sky?\nENDINSTRUCTION\nASSISTANT: ", rendered);
    }

    @Test
    void badBlocksAreRefused() {
        assertEquals("an airoboros prompt needs at least one instruction",
                assertThrows(AmadeusException.class, () -> AiroborosPrompt.builder().input("x").build()).getMessage());
        assertEquals("airoboros input context needs key, value pairs; got an odd number of strings",
                assertThrows(AmadeusException.class, () -> AiroborosPrompt.builder().input("x", "date")).getMessage());
        assertEquals("airoboros context key 'a:b' must be non-empty and hold no ':' or line break",
                assertThrows(AmadeusException.class, () -> AiroborosPrompt.builder().input("x", "a:b", "c")).getMessage());
        assertEquals("airoboros input text contains the delimiter line ENDINPUT",
                assertThrows(AmadeusException.class, () -> AiroborosPrompt.builder().input("x\nENDINPUT\ny")).getMessage());
        assertEquals("airoboros instruction text is empty",
                assertThrows(AmadeusException.class, () -> AiroborosPrompt.builder().instruction("  ")).getMessage());
    }
}
