package dev.logitlab.cli;

import dev.logitlab.cli.stack.StackOptions;
import dev.logitlab.cli.demo.DemoRunner;
import dev.logitlab.cli.demo.LogitPairingExperiment;
import dev.logitlab.cli.stack.LocalStack;
import dev.logitlab.cli.stack.StackConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./lab demo}: the default experiment on the local stack (started for the demo and stopped after it, unless
 * one is already running): five defenses trained over REST, every checkpoint attacked and analysed, live progress
 * from {@code logitlab.runs}, then a summary and {@code reports/<experiment>/index.html} + {@code report.json}.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Train small-cnn with plain, LS+GN, LSQ+GN, ALS and PGD-AT on the local stack, attack every "
                + "checkpoint, and write an HTML report.")
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    StackOptions stackOptions = new StackOptions();

    @Option(names = "--quick", description = "fewer images, epochs and attacks (a few minutes)")
    boolean quick;

    @Option(names = "--reports", description = "where reports go (default: <repo>/reports)")
    Path reports;

    @Option(names = "--experiment", defaultValue = "defenses", description = "defenses: the seed's defenses on the "
            + "local stack; logit-pairing: Mosbach et al.'s check (CLP, ALP, logit squeezing judged by a weak attack and "
            + "by the full suite), in one process (default: ${DEFAULT-VALUE})")
    String experiment;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        StackConfig asked = stackOptions.config();
        if (experiment.equals("logit-pairing")) {
            Path html = new LogitPairingExperiment(out).run(LogitPairingExperiment.Settings.of(quick),
                    reports != null ? reports : asked.repository().resolve("reports"), null);
            out.println("\nreport: " + html.toAbsolutePath() + "  (and report.json beside it)");
            return 0;
        }
        if (!experiment.equals("defenses")) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--experiment: '" + experiment
                    + "' is none of defenses, logit-pairing");
        }
        // A stack that is up is used as it was started (its recorded shape), whatever the defaults say.
        StackConfig config = StackConfig.recorded(asked.repository(), asked.home())
                .filter(recorded -> new LocalStack(recorded, out).isUp()).orElse(asked);
        LocalStack stack = new LocalStack(config, out);
        boolean started = false;
        Runnable ready = () -> { };
        if (!stack.isUp()) {
            out.println("starting the local stack (./lab stack up) ...");
            out.flush();
            // Training starts as soon as the trainer answers; the other services catch up on the topics meanwhile.
            stack.start();
            stack.awaitReady("trainer");
            ready = stack::awaitReady;
            started = true;
        } else {
            out.println("using the running stack");
        }
        // Ctrl-C skips finally blocks but runs shutdown hooks: stop what this demo started either way.
        Thread stopper = new Thread(() -> {
            out.println("stopping the stack it started ...");
            out.flush();
            stack.down();
        });
        if (started) {
            Runtime.getRuntime().addShutdownHook(stopper);
        }
        Path dir = reports != null ? reports : config.repository().resolve("reports");
        Path html = new DemoRunner(config, out).run(quick, dir, ready);
        out.println("\nreport: " + html.toAbsolutePath() + "  (and report.json beside it)");
        return 0;
    }
}
