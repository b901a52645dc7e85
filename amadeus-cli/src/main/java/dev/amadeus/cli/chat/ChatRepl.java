package dev.amadeus.cli.chat;

import dev.amadeus.AmadeusException;
import dev.amadeus.chat.ChatSession;
import dev.amadeus.cli.SamplingOptions;
import dev.amadeus.generate.FinishReason;
import dev.amadeus.generate.GenerationResult;
import dev.amadeus.sampling.SamplingParams;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The chat loop: reads user turns and slash commands, streams answers to {@code out}, and writes notices,
 * command replies and one statistics line per answer to {@code err}.
 */
public final class ChatRepl {
    static final String HELP = """
            /help               this list
            /exit, /quit        leave (Ctrl-D too)
            /reset              forget the conversation (the system prompt stays)
            /system TEXT        set the system prompt ('/system' alone removes it)
            /save FILE          write the conversation as JSON
            /load FILE          read a conversation written by /save
            /set                show the sampling settings
            /set NAME VALUE     change one: temp, top-k, top-p, min-p, typical, repeat-penalty, presence-penalty,
                                frequency-penalty, repeat-last-n, seed, n (tokens per answer, -1 = no limit)
            A line ending in a backslash continues on the next line. Ctrl-C stops an answer.""";

    private final ChatSession session;
    private final ChatInput input;
    private final PrintStream out;
    private final PrintStream err;
    private boolean failed;

    public ChatRepl(ChatSession session, ChatInput input, PrintStream out, PrintStream err) {
        this.session = session;
        this.input = input;
        this.out = out;
        this.err = err;
        session.onDrop(n -> err.printf("amadeus: the context is full; dropped the %d oldest message%s (the system prompt stays)%n",
                n, n == 1 ? "" : "s"));
    }

    /** Runs until the input ends or /exit; returns the exit code (1 if some turn or command failed without a terminal). */
    public int run() {
        if (input.interactive()) err.println("amadeus: chat ready; /help lists the commands, Ctrl-D quits");
        String text;
        while ((text = input.read()) != null) {
            if (text.isBlank()) continue;
            try {
                if (text.startsWith("/")) {
                    if (!command(text.strip())) break;
                } else {
                    answer(text);
                }
            } catch (AmadeusException e) {
                err.println("amadeus: " + e.getMessage());
                failed = true;
            }
        }
        return failed && !input.interactive() ? 1 : 0;
    }

    private void answer(String text) {
        ChatSession.Turn turn = input.whileAnswering(cancelled -> session.answer(text, piece -> {
            out.print(piece);
            out.flush();
        }, cancelled));
        out.println();
        out.flush();
        GenerationResult g = turn.generation();
        if (g.finishReason() == FinishReason.CANCELLED) err.println("amadeus: answer stopped");
        if (g.finishReason() == FinishReason.CONTEXT_FULL) {
            err.println("amadeus: the context is full; the answer was cut (the oldest turns go at the next one)");
        }
        err.printf(Locale.ROOT, "amadeus: prompt %d tokens (%d reused, %d evaluated), answer %d tokens, %.1f t/s; finished: %s%n",
                turn.promptTokens(), turn.reusedTokens(), turn.evaluatedTokens(), g.tokens().length,
                g.generatedTokensPerSecond(), g.finishReason().name().toLowerCase(Locale.ROOT));
    }

    /** Runs a slash command; false means leave. */
    private boolean command(String line) {
        int space = line.indexOf(' ');
        String name = space < 0 ? line : line.substring(0, space);
        String argument = space < 0 ? "" : line.substring(space + 1).strip();
        switch (name) {
            case "/exit", "/quit" -> {
                return false;
            }
            case "/help" -> err.println(HELP);
            case "/reset" -> {
                session.reset();
                err.println("amadeus: conversation cleared");
            }
            case "/system" -> {
                session.setSystem(argument);
                err.println(argument.isEmpty() ? "amadeus: system prompt removed" : "amadeus: system prompt set");
            }
            case "/save" -> {
                Path file = Path.of(requireArgument(name, argument, "FILE"));
                ConversationFile.save(file, session.messages());
                err.printf("amadeus: saved %d messages to %s%n", session.messages().size(), file);
            }
            case "/load" -> {
                Path file = Path.of(requireArgument(name, argument, "FILE"));
                session.setMessages(ConversationFile.load(file));
                err.printf("amadeus: loaded %d messages from %s%n", session.messages().size(), file);
            }
            case "/set" -> set(argument);
            default -> throw new AmadeusException("unknown command " + name + "; /help lists the commands");
        }
        return true;
    }

    private static String requireArgument(String command, String argument, String what) {
        if (argument.isEmpty()) throw new AmadeusException(command + " needs a " + what);
        return argument;
    }

    private void set(String argument) {
        if (argument.isEmpty()) {
            err.println(settings());
            return;
        }
        String[] parts = argument.split("\\s+");
        if (parts.length != 2) throw new AmadeusException("/set takes a name and a value, e.g. /set temp 0.7");
        String name = parts[0];
        String value = parts[1];
        SamplingParams p = session.sampling();
        try {
            switch (name) {
                case "temp", "temperature" -> p = p.withTemperature(Float.parseFloat(value));
                case "top-k" -> p = p.withTopK(Integer.parseInt(value));
                case "top-p" -> p = p.withTopP(Float.parseFloat(value));
                case "min-p" -> p = p.withMinP(Float.parseFloat(value));
                case "typical" -> p = p.withTypicalP(Float.parseFloat(value));
                case "repeat-penalty" -> p = p.withRepeatPenalty(Float.parseFloat(value));
                case "presence-penalty" -> p = p.withPresencePenalty(Float.parseFloat(value));
                case "frequency-penalty" -> p = p.withFrequencyPenalty(Float.parseFloat(value));
                case "repeat-last-n" -> p = p.withPenaltyLastN(Integer.parseInt(value));
                case "seed" -> p = p.withSeed(Long.parseLong(value));
                case "n" -> {
                    int n = Integer.parseInt(value);
                    if (n < -1) throw new AmadeusException("n must be -1 or more, got " + n);
                    session.setMaxTokens(n);
                }
                default -> throw new AmadeusException("unknown setting " + name + "; /help lists them");
            }
        } catch (NumberFormatException e) {
            throw new AmadeusException("/set " + name + ": not a number: " + value);
        } catch (IllegalArgumentException e) {
            throw new AmadeusException("/set " + name + ": " + e.getMessage());
        }
        session.setSampling(SamplingOptions.check(p));
        err.println("amadeus: " + settings());
    }

    private String settings() {
        SamplingParams p = session.sampling();
        return String.format(Locale.ROOT,
                "temp %s, top-k %d, top-p %s, min-p %s, typical %s, repeat-penalty %s, presence-penalty %s, "
                        + "frequency-penalty %s, repeat-last-n %d, seed %s, n %d",
                p.temperature(), p.topK(), p.topP(), p.minP(), p.typicalP(), p.repeatPenalty(), p.presencePenalty(),
                p.frequencyPenalty(), p.penaltyLastN(), p.seed() == SamplingParams.RANDOM_SEED ? "random" : p.seed(),
                session.maxTokens());
    }
}
