package dev.logitlab.cli;

import dev.logitlab.cli.stack.LocalStack;
import dev.logitlab.cli.stack.StackConfig;
import dev.logitlab.cli.stack.StackOptions;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ./lab stack up|down|status|logs}: the local stack (Kafka broker + the three services). */
@Command(name = "stack", mixinStandardHelpOptions = true,
        description = "Run logitlab locally: a KRaft Kafka broker and the trainer, attack and analysis services.",
        subcommands = {StackCommand.Up.class, StackCommand.Down.class, StackCommand.Status.class, StackCommand.Logs.class})
final class StackCommand {

    /**
     * For the commands that act on a running stack: only where it lives. Its ports and replicas are what {@code up}
     * recorded ({@code .lab/stack.json}), never the defaults; with nothing recorded, the defaults' shape.
     */
    static final class Running {
        @Option(names = "--home", description = "state directory (default: <repo>/.lab)")
        Path home;

        StackConfig config() {
            StackConfig d = StackConfig.defaults();
            Path where = home != null ? home.toAbsolutePath() : d.home();
            return StackConfig.recorded(d.repository(), where).orElse(new StackConfig(d.repository(), where,
                    d.kafkaPort(), d.controllerPort(), d.trainerPort(), d.attackPort(), d.analysisPort()));
        }
    }

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = "Start the broker and the services (only what is not running yet); wait until ready.")
    static final class Up implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        StackOptions options = new StackOptions();
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            LocalStack stack = new LocalStack(options.config(), spec.commandLine().getOut());
            if (stack.isUp()) {
                spec.commandLine().getOut().println("the stack is already up");
                stack.status(false);
                return 0;
            }
            stack.up();
            return 0;
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true, description = "Stop the services and the broker.")
    static final class Down implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Running options = new Running();
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            new LocalStack(options.config(), spec.commandLine().getOut()).down();
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Role, pid, port and health of the broker and every service process.")
    static final class Status implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Running options = new Running();
        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "print the processes as JSON")
        boolean json;

        @Override
        public Integer call() {
            LocalStack stack = new LocalStack(options.config(), spec.commandLine().getOut());
            stack.status(json);
            return stack.isUp() ? 0 : 3;
        }
    }

    @Command(name = "logs", mixinStandardHelpOptions = true, description = "Show the last lines of a component's log.")
    static final class Logs implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Running options = new Running();
        @Spec
        CommandSpec spec;

        @Parameters(arity = "0..1", description = "kafka, trainer, attack, analysis or one replica, e.g. attack-2 (default: all)")
        String component;

        @Option(names = {"-n", "--lines"}, defaultValue = "40", description = "lines per log (default: ${DEFAULT-VALUE})")
        int lines;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            LocalStack stack = new LocalStack(options.config(), out);
            // Every process that ever ran here has a log, replicas included, whatever --*-replicas says now.
            List<String> known;
            try (var files = Files.list(options.config().logs())) {
                known = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".log"))
                        .map(n -> n.substring(0, n.length() - 4)).filter(n -> !n.equals("kafka-format"))
                        .sorted((a, b) -> a.equals("kafka") ? -1 : b.equals("kafka") ? 1 : a.compareTo(b)).toList();
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("no logs at " + options.config().logs() + ": has the stack run here?");
            }
            List<String> components = component == null ? known
                    : known.stream().filter(c -> c.equals(component) || c.startsWith(component + "-")).toList();
            if (components.isEmpty()) {
                throw new IllegalArgumentException("no log for '" + component + "'; there are: " + known);
            }
            for (String c : components) {
                Path log = stack.log(c);
                List<String> lines = Files.readAllLines(log);
                out.println("==> " + log + " <==");
                lines.subList(Math.max(0, lines.size() - this.lines), lines.size()).forEach(out::println);
            }
            out.flush();
            return 0;
        }
    }
}
