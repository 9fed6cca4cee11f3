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
 * times, in alternating order: the wall and CPU time of each (the worker's included), the worker's start (a JVM,
 * libtorch and the model), and whether the reports agree.
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

    /**
     * One evaluation: its report, its wall time, the CPU time of this process and of its workers (read before they
     * exit) and, sandboxed, the worker's start.
     */
    private record Run(EvaluationReport report, double seconds, double cpu, double start) {
    }

    private Run inProcess(Dataset test, EvaluationPlan plan) {
        long t0 = System.nanoTime();
        double cpu0 = cpu(ProcessHandle.current());
        try (var classifier = Classifiers.open(model)) {
            EvaluationReport report = new Evaluation(classifier, test, plan, null, null).run("m");
            return new Run(report, (System.nanoTime() - t0) / 1e9, cpu(ProcessHandle.current()) - cpu0, 0);
        }
    }

    private Run sandboxed(Dataset test, EvaluationPlan plan) {
        long t0 = System.nanoTime();
        double cpu0 = cpu(ProcessHandle.current());
        try (ModelSession session = Sandbox.DEFAULTS.session(model, null, null, "m", test, bench.dataDir, plan)) {
            double start = (System.nanoTime() - t0) / 1e9;
            EvaluationReport report = new Evaluation(session, null).run("m");
            double cpu = cpu(ProcessHandle.current()) - cpu0
                    + ProcessHandle.current().descendants().mapToDouble(BenchSandboxCommand::cpu).sum();
            return new Run(report, (System.nanoTime() - t0) / 1e9, cpu, start);
        }
    }

    private static double cpu(ProcessHandle process) {
        return process.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
    }

    private static List<String> robust(EvaluationReport report) {
        return report.attacks().stream().map(EvaluationReport.AttackRun::robust).toList();
    }

    /** One pair: the same evaluation in this process and in the sandbox, wall and CPU seconds. */
    record Pair(double inProcess, double sandboxed, double inProcessCpu, double sandboxedCpu, double start,
                boolean sameReport) {
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
        out.printf("%-4s %11s %11s %9s %11s %11s %9s %8s  %s%n", "pair", "wall here", "sandboxed", "ratio",
                "CPU here", "sandboxed", "ratio", "start", "same report");
        List<Pair> pairs = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            // every other pair in the other order, so that a machine speeding up or slowing down favours neither
            boolean sandboxFirst = r % 2 == 1;
            Run first = sandboxFirst ? sandboxed(test, plan) : inProcess(test, plan);
            Run second = sandboxFirst ? inProcess(test, plan) : sandboxed(test, plan);
            Run here = sandboxFirst ? second : first;
            Run there = sandboxFirst ? first : second;
            boolean same = here.report().worstCase().equals(there.report().worstCase())
                    && robust(here.report()).equals(robust(there.report()));
            pairs.add(new Pair(here.seconds(), there.seconds(), here.cpu(), there.cpu(), there.start(), same));
            out.printf("%-4d %11.1f %11.1f %8.3fx %11.1f %11.1f %8.3fx %8.1f  %s%s%n", r + 1, here.seconds(),
                    there.seconds(), there.seconds() / here.seconds(), here.cpu(), there.cpu(), there.cpu() / here.cpu(),
                    there.start(), same ? "yes" : "NO", sandboxFirst ? " (sandboxed first)" : "");
            out.flush();
        }
        double in = pairs.stream().mapToDouble(Pair::inProcess).sum();
        double sb = pairs.stream().mapToDouble(Pair::sandboxed).sum();
        double inCpu = pairs.stream().mapToDouble(Pair::inProcessCpu).sum();
        double sbCpu = pairs.stream().mapToDouble(Pair::sandboxedCpu).sum();
        out.printf("all  %11.1f %11.1f %8.3fx %11.1f %11.1f %8.3fx%n", in, sb, sb / in, inCpu, sbCpu, sbCpu / inCpu);
        Path file = json != null ? json : StackConfig.defaults().home().resolve("bench/sandbox.json");
        Files.createDirectories(file.toAbsolutePath().getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), pairs);
        out.println("runs: " + file.toAbsolutePath());
        return pairs.stream().allMatch(Pair::sameReport) ? 0 : 1;
    }
}
