package dev.amadeus.eval;

import dev.amadeus.model.Model;
import dev.amadeus.model.rope.RopeScaling;

import java.util.List;

/**
 * The one place where the evaluations meet RoPE scaling: it turns a method name from the command line
 * ({@code --rope-scaling none,linear,...}) into the {@link RopeScaling} a {@code Transformer} runs with, for
 * one model and one evaluation context length. The evaluations never name a method themselves.
 * {@link ContextScalings} is the implementation the commands use.
 */
public interface RopeScalingFactory {

    /** The method names {@link #create} accepts, in the order help text should list them. */
    List<String> methods();

    /**
     * The scaling of {@code method} for a run of {@code contextLength} positions of {@code model}.
     *
     * @throws dev.amadeus.AmadeusException for a name not in {@link #methods()}
     */
    RopeScaling create(String method, Model model, int contextLength);
}
