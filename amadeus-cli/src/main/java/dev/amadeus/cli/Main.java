package dev.amadeus.cli;

import dev.amadeus.AmadeusException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** The {@code amadeus} command: one subcommand per job. */
@Command(name = "amadeus", mixinStandardHelpOptions = true, version = "amadeus 0.1.0",
        description = "Run LLaMA-family models stored as GGUF files.",
        subcommands = {GenerateCommand.class, ChatCommand.class, BenchCommand.class, InfoCommand.class, TokenizeCommand.class, SynthCommand.class, ServeCommand.class,
                PerplexityCommand.class, PasskeyCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code, printing user errors as one line on stderr. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        // Every command answers --help (and --version), as the pointer printed after a usage error promises.
        for (CommandLine sub : cli.getSubcommands().values()) sub.getCommandSpec().mixinStandardHelpOptions(true);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (e instanceof AmadeusException) {
                err.println("amadeus: " + e.getMessage());
                err.flush();
                return 1;
            }
            throw e;
        });
        cli.setParameterExceptionHandler((e, args1) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("amadeus: " + e.getMessage());
            err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
            err.flush();
            return 2;
        });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            System.err.println("amadeus: out of memory (" + e.getMessage() + "); raise the heap with AMADEUS_JVM_OPTS=-Xmx...");
            return 1;
        }
    }
}
