package dev.logitlab.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.logitlab.cli.stack.StackConfig;
import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.evaluation.Evaluation;
import dev.logitlab.core.evaluation.EvaluationPlan;
import dev.logitlab.core.evaluation.ModelSession;
import dev.logitlab.core.model.Classifiers;
import dev.logitlab.core.model.Torch;
import dev.logitlab.core.sandbox.Sandbox;
import dev.logitlab.events.EvaluationReport;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./lab bench sandbox}: what the sandbox costs. The same evaluation of a TorchScript model (what
 * {@code ./lab evaluate} runs by default), in this process and in its sandboxed worker, one after the other, several
 * times: the wall time of each, the worker's start (a JVM, libtorch and the model), and whether the reports agree.
 */
@Command(name = "sandbox", mixinStandardHelpOptions = true,
        description = "The default evaluation of a TorchScript model in this process and in its sandbox, alternated.")
final class BenchSandboxCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    BenchOptions bench = new BenchOptions();

    @Option(names = "--model", description = "a TorchScript model (default: bench/pytorch/reference.py --model-only "
            + "trains small-cnn)")
    Path model;

    @Option(names = "--images", defaultValue = "500", description = "test images (default: ${DEFAULT-VALUE}, as evaluate)")
    int images;

    @Option(names = "--gaps", defaultValue = "200", description = "gap examples (default: ${DEFAULT-VALUE}, as evaluate)")
    int gaps;

    @Option(names = "--repeats", defaultValue = "3", description = "pairs of runs (default: ${DEFAULT-VALUE})")
    int repeats;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "a Python with PyTorch (default: ${DEFAULT-VALUE})")
    String python;

    @Option(names = "--json", description = "where the runs go as JSON (default: .lab/bench/sandbox.json)")
    Path json;

    /** One pair: the same evaluation in this process and in the sandbox. */
    record Pair(double inProcess, double sandboxed, double start, boolean sameReport) {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Torch.threads(bench.threads);
        if (model == null) {
            model = Files.createTempDirectory("logitlab-sandbox-bench").resolve("small_cnn.pt");
            out.println(PeerProcess.run(StackConfig.defaults().repository(), python,
                    List.of("reference.py", "--model-only", "--out", model.toString())));
        }
        Dataset test = Datasets.load("fashion-mnist", bench.dataDir).test();
        EvaluationPlan plan = new EvaluationPlan(List.of(0.1), List.of(), "default", images, 0, gaps, -1);
        out.printf("the default suite and analysis on %d images (%d gap examples), %d threads, %s%n", images, gaps,
                bench.threads, model);
        out.printf("%-4s %14s %14s %12s %8s %s%n", "run", "in process s", "sandboxed s", "of it start", "ratio",
                "same report");
        List<Pair> pairs = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            EvaluationReport here;
            try (var classifier = Classifiers.open(model)) {
                here = new Evaluation(classifier, test, plan, null, null).run("m");
            }
            double inProcess = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            EvaluationReport there;
            double start;
            try (ModelSession session = Sandbox.DEFAULTS.session(model, null, null, "m", test, bench.dataDir, plan)) {
                start = (System.nanoTime() - t1) / 1e9;
                there = new Evaluation(session, null).run("m");
            }
            double sandboxed = (System.nanoTime() - t1) / 1e9;
            boolean same = here.worstCase().equals(there.worstCase()) && here.attacks().stream().map(a -> a.robust())
                    .toList().equals(there.attacks().stream().map(a -> a.robust()).toList());
            pairs.add(new Pair(inProcess, sandboxed, start, same));
            out.printf("%-4d %14.1f %14.1f %12.1f %7.3fx %s%n", r + 1, inProcess, sandboxed, start, sandboxed / inProcess,
                    same ? "yes" : "NO");
            out.flush();
        }
        double in = pairs.stream().mapToDouble(Pair::inProcess).sum();
        double sb = pairs.stream().mapToDouble(Pair::sandboxed).sum();
        out.printf("all  %14.1f %14.1f %12s %7.3fx%n", in, sb, "", sb / in);
        Path file = json != null ? json : StackConfig.defaults().home().resolve("bench/sandbox.json");
        Files.createDirectories(file.toAbsolutePath().getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), pairs);
        out.println("runs: " + file.toAbsolutePath());
        return pairs.stream().allMatch(Pair::sameReport) ? 0 : 1;
    }
}
