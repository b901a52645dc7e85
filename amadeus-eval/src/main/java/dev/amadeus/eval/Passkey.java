package dev.amadeus.eval;

import dev.amadeus.AmadeusException;
import dev.amadeus.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The passkey retrieval test: for every prompt length and key depth, {@code trials} prompts each hide a
 * random 5-digit key in filler text ({@link PasskeyPrompts}) and ask for it at the end; the model's greedy
 * continuation (up to {@link #ANSWER_TOKENS} tokens) is correct when its first number is the key, the
 * scoring of the Landmark-Attention and YaRN evaluations. Keys come from one seeded generator, drawn in
 * the order length, depth, trial, so a seed fixes every prompt.
 */
public final class Passkey {
    /** Tokens generated for the answer, as in the original evaluation. */
    public static final int ANSWER_TOKENS = 10;

    private static final Pattern NUMBER = Pattern.compile("\\d+");

    /** One prompt's outcome. */
    public record Trial(int length, double depth, int key, String answer, boolean correct) {
    }

    /** Outcomes at one length and depth. */
    public record Cell(int length, double depth, int trials, int correct) {
        public double accuracy() {
            return (double) correct / trials;
        }
    }

    /** Told after every trial. */
    public interface Progress {
        void trialDone(Trial trial, int done, int total);
    }

    private final Tokenizer tokenizer;
    private final PasskeyPrompts prompts;

    public Passkey(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
        this.prompts = new PasskeyPrompts(tokenizer);
    }

    /** True when the first number in {@code answer} is {@code key}, written out in full. */
    public static boolean isCorrect(String answer, int key) {
        Matcher m = NUMBER.matcher(answer);
        return m.find() && m.group().equals(Integer.toString(key));
    }

    /** A random 5-digit key. */
    static int nextKey(Random random) {
        return 10_000 + random.nextInt(90_000);
    }

    public PasskeyPrompts prompts() {
        return prompts;
    }

    /**
     * Runs the grid. {@code answererForLength} gives the model to ask at each prompt length (a length can
     * call for its own RoPE scaling); it is called once per length.
     *
     * @throws AmadeusException for a length too short to hold a prompt, a depth outside [0, 1] or trials < 1,
     *                          before any prompt is evaluated
     */
    public List<Cell> run(List<Integer> lengths, List<Double> depths, int trials, long seed,
                          IntFunction<Answerer> answererForLength, Progress progress) {
        if (lengths.isEmpty()) throw new AmadeusException("no prompt length given");
        if (depths.isEmpty()) throw new AmadeusException("no depth given");
        if (trials < 1) throw new AmadeusException("trials must be at least 1, got " + trials);
        for (double d : depths) {
            if (!(d >= 0 && d <= 1)) throw new AmadeusException("depth must be between 0 and 1, got " + d);
        }
        Random random = new Random(seed);
        List<List<PasskeyPrompt>> planned = new ArrayList<>();
        for (int length : lengths) {
            for (double depth : depths) {
                List<PasskeyPrompt> cell = new ArrayList<>();
                for (int t = 0; t < trials; t++) cell.add(prompts.build(length, depth, nextKey(random)));
                planned.add(cell);
            }
        }
        int total = lengths.size() * depths.size() * trials, done = 0, index = 0;
        List<Cell> cells = new ArrayList<>();
        for (int length : lengths) {
            Answerer answerer = answererForLength.apply(length);
            for (double depth : depths) {
                int correct = 0;
                for (PasskeyPrompt prompt : planned.get(index++)) {
                    String answer = tokenizer.decode(answerer.answer(prompt.tokens(), ANSWER_TOKENS), true, false);
                    boolean ok = isCorrect(answer, prompt.key());
                    if (ok) correct++;
                    progress.trialDone(new Trial(length, depth, prompt.key(), answer, ok), ++done, total);
                }
                cells.add(new Cell(length, depth, trials, correct));
            }
        }
        return cells;
    }
}
