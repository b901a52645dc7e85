package dev.amadeus.cli;

import dev.amadeus.eval.BuiltInScalings;
import dev.amadeus.eval.RopeScalingFactory;

/**
 * Where {@code amadeus perplexity} and {@code amadeus passkey} get their {@code --rope-scaling} methods
 * from. Today that is {@link BuiltInScalings} (none, linear); a factory covering more methods is wired in
 * here and both commands take it up unchanged.
 */
final class ScalingMethods {
    private ScalingMethods() {
    }

    static RopeScalingFactory factory() {
        return new BuiltInScalings();
    }
}
