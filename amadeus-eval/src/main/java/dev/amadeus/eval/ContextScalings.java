package dev.amadeus.eval;

import dev.amadeus.AmadeusException;
import dev.amadeus.model.Model;
import dev.amadeus.model.RopeScalings;
import dev.amadeus.model.rope.RopeMethod;
import dev.amadeus.model.rope.RopeOptions;
import dev.amadeus.model.rope.RopeScaling;

import java.util.ArrayList;
import java.util.List;

/**
 * Every RoPE scaling method, sized for the context being evaluated, as a sweep needs it: a method stretches
 * the trained context L to the evaluated context C by the factor {@code s = max(1, C / L)}, so that at C ≤ L
 * every method is plain RoPE and beyond it each extends exactly as far as it must. {@code METHOD:F} fixes the
 * factor to F instead. Per method, s is:
 * <ul>
 *   <li>{@code linear}, {@code yarn}, {@code ntk-by-parts}, {@code ntk-by-parts-yarn}, {@code llama3}: the
 *       context extension factor, with L as the original context;</li>
 *   <li>{@code ntk}: NTK-aware alpha;</li>
 *   <li>{@code dynamic-ntk}: Hugging Face's factor, 1 unless given: dynamic NTK grows its own alpha with the
 *       sequence (alpha = n/L past L), so sizing it by C as well would stretch twice;</li>
 *   <li>{@code longrope}: the model's own factor tensors decide (the file must have them);</li>
 *   <li>{@code none}: no factor.</li>
 * </ul>
 */
public final class ContextScalings implements RopeScalingFactory {
    private final int originalContext;

    /** L is the model's trained context ({@code context_length} in its file). */
    public ContextScalings() {
        this(0);
    }

    /**
     * L is {@code originalContext} when positive (the length the model was really trained on, when its file
     * declares more, as stories260K's declares 2048 for 512-token training sequences), else the file's.
     */
    public ContextScalings(int originalContext) {
        if (originalContext < 0) throw new AmadeusException("--yarn-orig-ctx must be positive, got " + originalContext);
        this.originalContext = originalContext;
    }

    @Override
    public List<String> methods() {
        List<String> names = new ArrayList<>();
        for (RopeMethod m : RopeMethod.values()) names.add(m.id);
        names.add("METHOD:F");
        return names;
    }

    @Override
    public RopeScaling create(String method, Model model, int contextLength) {
        int colon = method.indexOf(':');
        String name = colon < 0 ? method : method.substring(0, colon);
        RopeMethod m = RopeMethod.parse(name, "--rope-scaling");
        int trained = originalContext > 0 ? originalContext : model.config().trainedContextLength();
        double factor = colon < 0 ? defaultFactor(m, contextLength, trained) : factor(method.substring(colon + 1), method);
        RopeOptions options = RopeOptions.FROM_FILE.withMethod(m).withYarnOrigCtx(trained);
        options = switch (m) {
            case NONE, LONGROPE -> options;
            case NTK -> options.withAlpha(factor);
            default -> options.withScale(factor);
        };
        return RopeScalings.create(model.config(), model.weights(), options);
    }

    private static double defaultFactor(RopeMethod m, int contextLength, int trained) {
        if (m == RopeMethod.DYNAMIC_NTK) return 1;
        return Math.max(1.0, (double) contextLength / trained);
    }

    private static double factor(String text, String method) {
        try {
            double f = Double.parseDouble(text);
            if (f > 0 && Double.isFinite(f)) return f;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new AmadeusException("--rope-scaling: the factor must be a positive number, got '" + text + "' in '" + method + "'");
    }
}
