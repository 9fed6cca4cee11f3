package dev.logitlab.cli;

import dev.logitlab.core.Json;
import dev.logitlab.core.attack.AttackSuite;
import dev.logitlab.core.checkpoint.Checkpoint;
import dev.logitlab.core.checkpoint.Sha256;
import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.evaluation.Evaluation;
import dev.logitlab.core.evaluation.ShardJournal;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import dev.logitlab.core.evaluation.EvaluationPlan;
import dev.logitlab.core.evaluation.ShardPlan;
import dev.logitlab.core.evaluation.ModelSession;
import dev.logitlab.core.model.Torch;
import dev.logitlab.events.EvaluationReport;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./lab evaluate}: attacks a checkpoint or TorchScript model and checks for gradient masking. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Attack a model (checkpoint directory or TorchScript .pt) at each ℓ∞ and ℓ2 ε, measure logit "
                + "and gradient gaps, and check for gradient masking.")
final class EvaluateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    RuntimeOptions runtime = new RuntimeOptions();

    @Mixin
    ModelOptions models = new ModelOptions();

    @Option(names = "--model", required = true, description = "checkpoint directory, its checkpoint.json, or a TorchScript file")
    Path model;

    @Option(names = "--dataset", description = "data set (default: the checkpoint's, else fashion-mnist)")
    String dataset;

    @Option(names = "--limit", defaultValue = "500", description = "the first N test images in file order (default: ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--eps", defaultValue = "0.1", split = ",", description = "ℓ∞ budgets, comma-separated (default: ${DEFAULT-VALUE})")
    List<Double> eps;

    @Option(names = "--eps-l2", split = ",", description = "ℓ2 budgets, comma-separated; the attacks also run in ℓ2 at "
            + "each (default: none; e.g. 0.5,1.0)")
    List<Double> epsL2;

    @Option(names = "--attacks", defaultValue = "default",
            description = "attack spec (e.g. pgd:steps=20:restarts=1,square:queries=1000; a>b: a cascade) or a suite: default, all, autoattack")
    String attacks;

    @Option(names = "--surrogate", description = "a second model for the transfer attack")
    Path surrogate;

    @Option(names = "--gaps", defaultValue = "200", description = "correctly classified examples for gap statistics (0: skip)")
    int gaps;

    @Option(names = "--search-limit", defaultValue = "-1", description = "of the gap examples, how many get PGD's and "
            + "FMN's minimal-ε searches, the costliest part of the analysis (default: all)")
    int searchLimit;

    @Option(names = "--single-draws", defaultValue = "10", description = "a model with random outputs counts as "
            + "robust only if this many single forward passes, at the clean image and at a last attack's point, are all "
            + "right (1 to 100; default: ${DEFAULT-VALUE})")
    int singleDraws;

    @Option(names = "--seed", defaultValue = "0", description = "seed of every random start and query (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--timings", description = "print where the time went: each attack's compute and each analysis stage")
    boolean timings;

    @Option(names = "--json", description = "write the logitlab.evaluation/v1 report here")
    Path json;

    @Option(names = "--resume", description = "journal finished shards here, and take those already there: the same "
            + "command after a crash runs only what is missing (default: beside --json, else ~/.cache/logitlab/evaluations)")
    Path resume;

    @Override
    public Integer call() throws Exception {
        PrintWriter console = spec.commandLine().getOut();
        Torch.threads(runtime.threads);
        EvaluationPlan plan = new EvaluationPlan(eps, epsL2, attacks, limit, seed, gaps, searchLimit, singleDraws);
        AttackSuite.validate(attacks, surrogate != null);
        String datasetName = dataset != null ? dataset : checkpointDataset(model);
        var test = Datasets.load(datasetName, runtime.dataDir).test();
        EvaluationReport report;
        ShardJournal journal = ShardJournal.open(journalDirectory(), identity(datasetName, plan));
        console.printf("journal: %s (%d shards already done; the same command after a crash resumes from it)%n",
                journal.file(), journal.done().size());
        console.flush();
        // Ctrl-C or SIGTERM: the models stop answering, the work unwinds out of libtorch, and only then may the JVM
        // exit (see Torch.stop); finished shards stay in the journal.
        CountDownLatch unwound = new CountDownLatch(1);
        Thread stop = new Thread(() -> {
            Torch.stop();
            try {
                unwound.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "evaluate-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        try (journal;
             ModelSession session = models.open(model, surrogate, test, runtime.dataDir, plan);
             ProgressBar bar = new ProgressBarBuilder().setTaskName("evaluate").setInitialMax(1)
                     .setStyle(ProgressBarStyle.ASCII).setMaxRenderedLength(120).build()) {
            Evaluation evaluation = new Evaluation(session, (stage, done, total) -> {
                bar.maxHint(total);
                bar.stepTo(done);
                bar.setExtraMessage(stage);
            });
            report = evaluation.run(session.description(), journal);
            journal.delete();
        } catch (Torch.Stopped e) {
            console.printf("%nstopped: %d shards are in %s; the same command resumes from them%n",
                    journal.done().size(), journal.file());
            console.flush();
            return 130;
        } finally {
            unwound.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it returns now that the work has unwound
            }
        }
        if (json != null) {
            if (json.toAbsolutePath().getParent() != null) {
                Files.createDirectories(json.toAbsolutePath().getParent());
            }
            Json.PRETTY.writeValue(json.toFile(), report);
        }
        new EvaluationSummary(console).print(report);
        if (timings) {
            Timelines.print(console, "where the time went", java.util.List.of(report));
        }
        if (json != null) {
            console.println("report: " + json.toAbsolutePath());
        }
        return 0;
    }

    private Path journalDirectory() {
        if (resume != null) {
            return resume;
        }
        if (json != null) {
            return json.toAbsolutePath().resolveSibling(json.getFileName() + ".journal");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "logitlab", "evaluations");
    }

    /**
     * What makes two evaluations the same: the bytes of the model (and surrogate), the data set, the plan and the rule
     * its shards run by (a journal of another rule holds other outcomes under the same shard numbers).
     */
    private String identity(String datasetName, EvaluationPlan plan) {
        return String.join("\n", digest(model), surrogate == null ? "" : digest(surrogate), datasetName,
                plan.toString(), ShardPlan.RULE);
    }

    /** A TorchScript file's SHA-256, or a checkpoint's manifest's (which holds its parameters' SHA-256). */
    private static String digest(Path model) {
        Path file = Files.isDirectory(model) ? model.resolve(Checkpoint.MANIFEST) : model;
        return Sha256.of(file);
    }

    private static String checkpointDataset(Path model) {
        if (Files.isDirectory(model) || model.getFileName().toString().equals(Checkpoint.MANIFEST)) {
            return Checkpoint.load(model).manifest().dataset();
        }
        return "fashion-mnist";
    }
}
