package dev.amadeus.cli;

import dev.amadeus.AmadeusException;
import dev.amadeus.model.rope.RopeMethod;
import dev.amadeus.model.rope.RopeOptions;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The RoPE flags map onto RopeOptions; bad values end the command with one line naming the flag. */
class RopeFlagsTest {
    @Command(name = "host")
    static final class Host {
        @Mixin
        RopeFlags rope;
    }

    static RopeOptions parse(String... args) {
        Host host = new Host();
        new CommandLine(host).parseArgs(args);
        return host.rope.toOptions();
    }

    @Test
    void noFlagsTakeEverythingFromTheFile() {
        assertEquals(RopeOptions.FROM_FILE, parse());
    }

    @Test
    void everyFlagReachesItsOption() {
        RopeOptions o = parse("--rope-scaling", "yarn", "--rope-scale", "4", "--rope-freq-base", "20000",
                "--yarn-orig-ctx", "2048", "--yarn-ext-factor", "0.5", "--yarn-attn-factor", "1.2",
                "--yarn-beta-slow", "2", "--yarn-beta-fast", "16");
        assertEquals(new RopeOptions(RopeMethod.YARN, 4, 20000, Double.NaN, 2048, 0.5, 1.2, 2, 16, Double.NaN, false), o);
        assertEquals(0.25, parse("--rope-freq-scale", "0.25").freqScale());
        RopeOptions ntk = parse("--rope-scaling", "ntk", "--rope-alpha", "2.5");
        assertEquals(RopeMethod.NTK, ntk.method());
        assertEquals(2.5, ntk.alpha());
        for (RopeMethod m : RopeMethod.values()) assertEquals(m, parse("--rope-scaling", m.id).method());
    }

    @Test
    void badValuesNameTheFlag() {
        assertEquals("--rope-scaling: unknown RoPE scaling method 'su' (expected one of none, linear, yarn, longrope, ntk, "
                + "dynamic-ntk, ntk-by-parts, ntk-by-parts-yarn, llama3)",
                assertThrows(AmadeusException.class, () -> parse("--rope-scaling", "su")).getMessage());
        assertEquals("--rope-scale must be a finite number, got NaN",
                assertThrows(AmadeusException.class, () -> parse("--rope-scale", "NaN")).getMessage());
        assertEquals("--yarn-orig-ctx must be positive, got -5",
                assertThrows(AmadeusException.class, () -> parse("--yarn-orig-ctx", "-5")).getMessage());
    }

    @Test
    void generateRefusesANegativeScaleAndRunsAScaledModel() {
        String model = SharedData.model("stories260K.gguf").toString();
        Cli.Result bad = Cli.run("generate", "-m", model, "-p", "Once upon a time", "-n", "4", "--rope-scale", "-2");
        assertEquals(1, bad.exitCode());
        assertEquals("amadeus: --rope-scale must be a positive number, got -2.0", bad.stderr().strip());

        Cli.Result plain = Cli.run("generate", "-m", model, "-p", "Once upon a time", "-n", "24", "--temp", "0");
        Cli.Result linear = Cli.run("generate", "-m", model, "-p", "Once upon a time", "-n", "24", "--temp", "0",
                "--rope-scaling", "linear", "--rope-scale", "4");
        assertEquals(0, linear.exitCode(), linear.stderr());
        assertTrue(plain.stdout().startsWith(", there was a little girl named Lily."), plain.stdout());
        assertNotEquals(plain.stdout(), linear.stdout(), "a 4x linear scaling left the greedy text unchanged");
    }
}
