package dev.amadeus.sampling;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Sampling settings with llama.cpp's meanings. A value that disables a stage is the same as in llama.cpp:
 * {@code topK <= 0}, {@code topP >= 1}, {@code minP <= 0}, {@code typicalP >= 1}, and penalties when
 * {@code penaltyLastN == 0} or when repeat is 1 and presence and frequency are 0. {@code temperature <= 0}
 * means greedy: the highest-logit surviving token is always chosen. As in llama.cpp, a parameter only acts if its
 * stage is in {@code order}; without TEMPERATURE in the order, even temperature 0 draws at random.
 *
 * @param penaltyLastN how many of the most recently accepted tokens the penalties look at; 0 disables the
 *                     penalties, -1 means every token accepted since the last reset (llama.cpp's "context size")
 * @param seed         RNG seed; {@link #RANDOM_SEED} asks for a fresh random seed at construction and on each reset
 * @param order        the stages to run, in order; a stage may appear more than once or not at all
 * @param logitBias    token id to an additive logit bias applied before every stage; -infinity bans a token
 * @param minKeep      the least number of candidates top-p, min-p and typical-p leave (llama.cpp's min_keep, default 0)
 */
public record SamplingParams(float temperature, int topK, float topP, float minP, float typicalP,
                             float repeatPenalty, float presencePenalty, float frequencyPenalty, int penaltyLastN,
                             long seed, List<SamplerStage> order, Map<Integer, Float> logitBias, int minKeep) {

    /** llama.cpp's LLAMA_DEFAULT_SEED (0xFFFFFFFF) stands for "pick a random seed"; here it is -1. */
    public static final long RANDOM_SEED = -1L;

    public SamplingParams {
        order = List.copyOf(Objects.requireNonNull(order, "order"));
        logitBias = logitBias == null ? Map.of() : Map.copyOf(logitBias);
        if (penaltyLastN < -1) {
            throw new IllegalArgumentException("penaltyLastN must be -1 (whole context), 0 (disabled) or positive, got "
                    + penaltyLastN);
        }
        if (minKeep < 0) {
            throw new IllegalArgumentException("minKeep must not be negative, got " + minKeep);
        }
        for (Map.Entry<Integer, Float> bias : logitBias.entrySet()) {
            if (bias.getKey() < 0) {
                throw new IllegalArgumentException("logit bias for negative token id " + bias.getKey());
            }
            if (Float.isNaN(bias.getValue())) {
                throw new IllegalArgumentException("logit bias for token " + bias.getKey() + " is NaN");
            }
        }
    }

    /** The same constructor without {@code minKeep}, which then takes llama.cpp's default 0. */
    public SamplingParams(float temperature, int topK, float topP, float minP, float typicalP,
                          float repeatPenalty, float presencePenalty, float frequencyPenalty, int penaltyLastN,
                          long seed, List<SamplerStage> order, Map<Integer, Float> logitBias) {
        this(temperature, topK, topP, minP, typicalP, repeatPenalty, presencePenalty, frequencyPenalty, penaltyLastN,
                seed, order, logitBias, 0);
    }

    /** llama.cpp's common_params_sampling defaults. */
    public static SamplingParams defaults() {
        return new SamplingParams(0.8f, 40, 0.95f, 0.05f, 1.0f, 1.0f, 0.0f, 0.0f, 64,
                RANDOM_SEED, SamplerStage.LLAMA_CPP_DEFAULT_ORDER, Map.of(), 0);
    }

    /** Always the highest-logit token: every filter and penalty off, temperature 0. */
    public static SamplingParams greedy() {
        return new SamplingParams(0.0f, 0, 1.0f, 0.0f, 1.0f, 1.0f, 0.0f, 0.0f, 0,
                0, SamplerStage.LLAMA_CPP_DEFAULT_ORDER, Map.of(), 0);
    }

    public SamplingParams withTemperature(float value) {
        return new SamplingParams(value, topK, topP, minP, typicalP, repeatPenalty, presencePenalty, frequencyPenalty,
                penaltyLastN, seed, order, logitBias, minKeep);
    }

    public SamplingParams withTopK(int value) {
        return new SamplingParams(temperature, value, topP, minP, typicalP, repeatPenalty, presencePenalty,
                frequencyPenalty, penaltyLastN, seed, order, logitBias, minKeep);
    }

    public SamplingParams withTopP(float value) {
        return new SamplingParams(temperature, topK, value, minP, typicalP, repeatPenalty, presencePenalty,
                frequencyPenalty, penaltyLastN, seed, order, logitBias, minKeep);
    }

    public SamplingParams withMinP(float value) {
        return new SamplingParams(temperature, topK, topP, value, typicalP, repeatPenalty, presencePenalty,
                frequencyPenalty, penaltyLastN, seed, order, logitBias, minKeep);
    }

    public SamplingParams withTypicalP(float value) {
        return new SamplingParams(temperature, topK, topP, minP, value, repeatPenalty, presencePenalty,
                frequencyPenalty, penaltyLastN, seed, order, logitBias, minKeep);
    }

    public SamplingParams withRepeatPenalty(float value) {
        return new SamplingParams(temperature, topK, topP, minP, typicalP, value, presencePenalty, frequencyPenalty,
                penaltyLastN, seed, order, logitBias, minKeep);
    }

    public SamplingParams withPresencePenalty(float value) {
        return new SamplingParams(temperature, topK, topP, minP, typicalP, repeatPenalty, value, frequencyPenalty,
                penaltyLastN, seed, order, logitBias, minKeep);
    }

    public SamplingParams withFrequencyPenalty(float value) {
        return new SamplingParams(temperature, topK, topP, minP, typicalP, repeatPenalty, presencePenalty, value,
                penaltyLastN, seed, order, logitBias, minKeep);
    }

    public SamplingParams withPenaltyLastN(int value) {
        return new SamplingParams(temperature, topK, topP, minP, typicalP, repeatPenalty, presencePenalty,
                frequencyPenalty, value, seed, order, logitBias, minKeep);
    }

    public SamplingParams withSeed(long value) {
        return new SamplingParams(temperature, topK, topP, minP, typicalP, repeatPenalty, presencePenalty,
                frequencyPenalty, penaltyLastN, value, order, logitBias, minKeep);
    }

    public SamplingParams withOrder(List<SamplerStage> value) {
        return new SamplingParams(temperature, topK, topP, minP, typicalP, repeatPenalty, presencePenalty,
                frequencyPenalty, penaltyLastN, seed, value, logitBias, minKeep);
    }

    /** Sets the order from a llama.cpp {@code --samplers} or {@code --sampling-seq} string. */
    public SamplingParams withOrder(String spec) {
        return withOrder(SamplerStage.parse(spec));
    }

    public SamplingParams withLogitBias(Map<Integer, Float> value) {
        return new SamplingParams(temperature, topK, topP, minP, typicalP, repeatPenalty, presencePenalty,
                frequencyPenalty, penaltyLastN, seed, order, value, minKeep);
    }

    public SamplingParams withMinKeep(int value) {
        return new SamplingParams(temperature, topK, topP, minP, typicalP, repeatPenalty, presencePenalty,
                frequencyPenalty, penaltyLastN, seed, order, logitBias, value);
    }
}
