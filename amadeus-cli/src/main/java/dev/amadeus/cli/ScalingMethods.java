package dev.amadeus.cli;

import dev.amadeus.eval.ContextScalings;
import dev.amadeus.eval.RopeScalingFactory;

/**
 * Where {@code amadeus perplexity} and {@code amadeus passkey} get their {@code --rope-scaling} methods
 * from: {@link ContextScalings}, every method sized for the context evaluated.
 */
final class ScalingMethods {
    private ScalingMethods() {
    }

    static RopeScalingFactory factory(int originalContext) {
        return new ContextScalings(originalContext);
    }
}
