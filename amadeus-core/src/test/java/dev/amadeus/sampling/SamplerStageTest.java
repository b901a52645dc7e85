package dev.amadeus.sampling;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.amadeus.sampling.SamplerStage.MIN_P;
import static dev.amadeus.sampling.SamplerStage.PENALTIES;
import static dev.amadeus.sampling.SamplerStage.TEMPERATURE;
import static dev.amadeus.sampling.SamplerStage.TOP_K;
import static dev.amadeus.sampling.SamplerStage.TOP_P;
import static dev.amadeus.sampling.SamplerStage.TYPICAL_P;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplerStageTest {

    @Test
    void parsesCanonicalNames() {
        assertEquals(List.of(PENALTIES, TOP_K, TOP_P, MIN_P, TEMPERATURE),
                SamplerStage.parse("penalties;top_k;top_p;min_p;temperature"));
    }

    @Test
    void parsesLlamaCppDefaultStringSkippingDisabledSamplers() {
        assertEquals(SamplerStage.LLAMA_CPP_DEFAULT_ORDER,
                SamplerStage.parse("penalties;dry;top_k;typ_p;top_p;min_p;xtc;temperature"));
    }

    @Test
    void parsesAlternativeNamesCaseAndSpaces() {
        assertEquals(List.of(TOP_K, TOP_P, TYPICAL_P, MIN_P, TEMPERATURE),
                SamplerStage.parse(" top-k ; Nucleus;typical;min-p;temp;"));
    }

    @Test
    void singleNameIsNotReadAsLetters() {
        assertEquals(List.of(TEMPERATURE), SamplerStage.parse("temp"));
        assertEquals(List.of(TYPICAL_P), SamplerStage.parse("typ"));
        assertEquals(List.of(TEMPERATURE), SamplerStage.parse("temperature"));
    }

    @Test
    void parsesLetters() {
        assertEquals(SamplerStage.LLAMA_CPP_DEFAULT_ORDER, SamplerStage.parse("ekypmt"));
        assertEquals(SamplerStage.LLAMA_CPP_DEFAULT_ORDER, SamplerStage.parse("edkypmxt"));
        assertEquals(List.of(TOP_K, TEMPERATURE, TOP_K), SamplerStage.parse("ktk"));
        assertEquals(List.of(TOP_P, MIN_P), SamplerStage.parseLetters("pm"));
    }

    @Test
    void unknownNameIsNamedInTheError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SamplerStage.parse("top_k;bogus;temperature"));
        assertTrue(e.getMessage().contains("'bogus'"), e.getMessage());
    }

    @Test
    void unknownLetterIsNamedInTheError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SamplerStage.parse("kqt"));
        assertTrue(e.getMessage().contains("'q'"), e.getMessage());
    }

    @Test
    void unsupportedLlamaCppSamplerIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SamplerStage.parse("top_k;infill"));
        assertTrue(e.getMessage().contains("'infill'"), e.getMessage());
    }

    @Test
    void emptyPartsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> SamplerStage.parse(""));
        assertThrows(IllegalArgumentException.class, () -> SamplerStage.parse("  "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SamplerStage.parse("top_k;;top_p"));
        assertTrue(e.getMessage().contains("position 2"), e.getMessage());
    }

    @Test
    void specRoundTrips() {
        String spec = SamplerStage.toSpec(SamplerStage.LLAMA_CPP_DEFAULT_ORDER);
        assertEquals("penalties;top_k;typ_p;top_p;min_p;temperature", spec);
        assertEquals(SamplerStage.LLAMA_CPP_DEFAULT_ORDER, SamplerStage.parse(spec));
    }

    @Test
    void paramsTakeAnOrderString() {
        SamplingParams p = SamplingParams.defaults().withOrder("top_k;temp");
        assertEquals(List.of(TOP_K, TEMPERATURE), p.order());
    }
}
