package dev.amadeus.eval;

import dev.amadeus.AmadeusException;
import dev.amadeus.model.ModelConfig;
import dev.amadeus.model.rope.LinearScaling;
import dev.amadeus.model.rope.NoScaling;
import dev.amadeus.model.rope.RopeScaling;

import java.util.List;

/**
 * The scaling methods available today:
 * <ul>
 *   <li>{@code none}: the trained frequencies, whatever the context (plain extrapolation past it);</li>
 *   <li>{@code linear}: position interpolation by {@code max(1, contextLength / trainedContext)}, so the
 *       evaluated positions always fit in the trained range; {@code linear:F} fixes the factor to F.</li>
 * </ul>
 */
public final class BuiltInScalings implements RopeScalingFactory {

    @Override
    public List<String> methods() {
        return List.of("none", "linear", "linear:F");
    }

    @Override
    public RopeScaling create(String method, ModelConfig config, int contextLength) {
        if (method.equals("none")) return new NoScaling();
        if (method.equals("linear")) {
            return new LinearScaling(Math.max(1.0, (double) contextLength / config.trainedContextLength()));
        }
        if (method.startsWith("linear:")) return new LinearScaling(factor(method));
        throw new AmadeusException("unknown RoPE scaling method '" + method + "' (known: " + String.join(", ", methods()) + ")");
    }

    private static double factor(String method) {
        String text = method.substring("linear:".length());
        try {
            double f = Double.parseDouble(text);
            if (f > 0 && Double.isFinite(f)) return f;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new AmadeusException("linear scale factor must be a positive number, got '" + text + "' in '" + method + "'");
    }
}
