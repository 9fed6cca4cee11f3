package dev.logitlab.cli;

import dev.logitlab.cli.bench.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./lab}: the command line of logitlab. */
@Command(name = "lab", mixinStandardHelpOptions = true, versionProvider = Lab.Version.class,
        description = "Robustness CI for adversarial defenses.",
        subcommands = {TrainCommand.class, EvaluateCommand.class, SubmitCommand.class, CompareCommand.class, GateCommand.class, LeaderboardCommand.class, StackCommand.class, BenchCommand.class, DemoCommand.class, ImagesCommand.class, TokenCommand.class, CommandLine.HelpCommand.class})
public final class Lab {

    public static void main(String[] args) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
                System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        // DJL probes for CUDA on every start; on a CPU machine that probe's warning is noise.
        System.setProperty("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils", "error");
        // The stack commands poll a broker that may still be starting: its clients would warn on every retry.
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
        System.exit(commandLine().execute(args));
    }

    /** The command line with logitlab's error handling: a message, not a stack trace. */
    public static CommandLine commandLine() {
        return new CommandLine(new Lab()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println(cmd.getColorScheme().errorText("error: " + message(e)));
            if (System.getenv("LOGITLAB_DEBUG") != null) {
                e.printStackTrace(cmd.getErr());
            } else {
                cmd.getErr().println("(set LOGITLAB_DEBUG=1 for the stack trace)");
            }
            return 1;
        });
    }

    private static String message(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Lab.class.getPackage().getImplementationVersion();
            return new String[] {"logitlab " + (v == null ? "dev" : v)};
        }
    }
}
