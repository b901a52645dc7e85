package dev.amadeus.cli;

import dev.amadeus.AmadeusException;
import dev.amadeus.sampling.SamplerStage;
import dev.amadeus.sampling.SamplingParams;
import picocli.CommandLine.Option;

/** The sampling flags {@code generate} and {@code chat} share, with llama.cpp's names and defaults. */
public final class SamplingOptions {
    @Option(names = "--temp", defaultValue = "0.8", description = "Temperature; 0 = greedy (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", defaultValue = "40", description = "Top-k, 0 = off (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", defaultValue = "0.95", description = "Top-p (nucleus), 1 = off (default: ${DEFAULT-VALUE}).")
    float topP;

    @Option(names = "--min-p", defaultValue = "0.05", description = "Min-p, 0 = off (default: ${DEFAULT-VALUE}).")
    float minP;

    @Option(names = "--typical", defaultValue = "1.0", description = "Locally typical sampling p, 1 = off (default: ${DEFAULT-VALUE}).")
    float typicalP;

    @Option(names = "--repeat-penalty", defaultValue = "1.0", description = "Repetition penalty, 1 = off (default: ${DEFAULT-VALUE}).")
    float repeatPenalty;

    @Option(names = "--presence-penalty", defaultValue = "0.0", description = "Presence penalty (default: ${DEFAULT-VALUE}).")
    float presencePenalty;

    @Option(names = "--frequency-penalty", defaultValue = "0.0", description = "Frequency penalty (default: ${DEFAULT-VALUE}).")
    float frequencyPenalty;

    @Option(names = "--repeat-last-n", defaultValue = "64", description = "Tokens the penalties look back over; -1 = whole context (default: ${DEFAULT-VALUE}).")
    int penaltyLastN;

    @Option(names = {"-s", "--seed"}, paramLabel = "S", description = "Random seed (default: random).")
    Long seed;

    @Option(names = "--samplers", paramLabel = "LIST", description = "Sampler order, e.g. 'penalties;top_k;typ_p;top_p;min_p;temperature'.")
    String samplers;

    /** The settings, checked; a value out of range is bad input. */
    SamplingParams toParams() {
        if (penaltyLastN < -1) throw new AmadeusException("--repeat-last-n must be -1 or more, got " + penaltyLastN);
        SamplingParams p = SamplingParams.defaults()
                .withTemperature(temperature).withTopK(topK).withTopP(topP).withMinP(minP).withTypicalP(typicalP)
                .withRepeatPenalty(repeatPenalty).withPresencePenalty(presencePenalty).withFrequencyPenalty(frequencyPenalty)
                .withPenaltyLastN(penaltyLastN);
        if (seed != null) p = p.withSeed(seed);
        if (samplers != null) {
            try {
                p = p.withOrder(SamplerStage.parse(samplers));
            } catch (IllegalArgumentException e) {
                throw new AmadeusException("--samplers: " + e.getMessage());
            }
        }
        return check(p);
    }

    /** Refuses values outside the ranges llama.cpp accepts, naming the flag. */
    public static SamplingParams check(SamplingParams p) {
        if (p.topK() < 0) throw new AmadeusException("--top-k must be 0 or more, got " + p.topK());
        if (p.topP() <= 0 || p.topP() > 1) throw new AmadeusException("--top-p must be in (0, 1], got " + p.topP());
        if (p.minP() < 0 || p.minP() > 1) throw new AmadeusException("--min-p must be in [0, 1], got " + p.minP());
        if (p.typicalP() <= 0 || p.typicalP() > 1) throw new AmadeusException("--typical must be in (0, 1], got " + p.typicalP());
        if (p.repeatPenalty() <= 0) throw new AmadeusException("--repeat-penalty must be positive, got " + p.repeatPenalty());
        return p;
    }
}
