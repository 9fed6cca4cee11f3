package dev.logitlab.cli.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.logitlab.cli.report.BenchReport;
import dev.logitlab.cli.stack.StackConfig;
import dev.logitlab.core.attack.Apgd;
import dev.logitlab.core.attack.Attack;
import dev.logitlab.core.attack.Norm;
import dev.logitlab.core.attack.Pgd;
import dev.logitlab.core.attack.SquareAttack;
import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.data.TrainTestSplit;
import dev.logitlab.core.train.StepTimes;
import dev.logitlab.core.train.TrainingConfig;
import dev.logitlab.core.evaluation.Evaluation;
import dev.logitlab.core.evaluation.EvaluationPlan;
import dev.logitlab.core.model.Classifiers;
import dev.logitlab.core.model.Torch;
import dev.logitlab.events.AttackResults;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./lab bench peers}: logitlab and its PyTorch peers in one run, on one TorchScript model and the same test
 * images, in one table (time, the peer's time, the ratio, and both robust accuracies: an attack that is faster but
 * breaks less is not faster). The peers run from their public checkouts through {@code bench/pytorch/peers.py}.
 */
@Command(name = "peers", mixinStandardHelpOptions = true,
        description = "Time logitlab's attacks and their PyTorch peers (torchattacks, AutoAttack) side by side.")
final class BenchPeersCommand implements Callable<Integer> {

    /** One row of the table; an attack's row also counts each side's passes through the network. */
    record Row(String workload, String peer, double seconds, double peerSeconds, double robust, double peerRobust,
               PeerLimits.Passes passes, PeerLimits.Passes peerPasses, StepTimes steps) {
        double ratio() {
            return seconds / peerSeconds;
        }
    }

    @Spec
    CommandSpec spec;

    @Mixin
    BenchOptions bench = new BenchOptions();

    @Option(names = "--model", description = "a TorchScript model (default: bench/pytorch/reference.py trains small-cnn and "
            + "prints PyTorch eager's training throughput)")
    Path model;

    @Option(names = "--torchattacks", description = "a torchattacks 3.4 checkout (default: $LOGITLAB_TORCHATTACKS)")
    Path torchattacks;

    @Option(names = "--autoattack", description = "a fra31/auto-attack checkout (default: $LOGITLAB_AUTOATTACK)")
    Path autoattack;

    @Option(names = "--images", defaultValue = "500", description = "test images (default: ${DEFAULT-VALUE})")
    int images;

    @Option(names = "--autoattack-images", defaultValue = "100",
            description = "test images for the AutoAttack suite (default: ${DEFAULT-VALUE})")
    int autoattackImages;

    @Option(names = "--eps", defaultValue = "0.1", description = "ℓ∞ budget (default: ${DEFAULT-VALUE})")
    double eps;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "a Python with PyTorch (default: ${DEFAULT-VALUE})")
    String python;

    @Option(names = "--json", description = "where the table goes as JSON (default: .lab/bench/peers.json)")
    Path json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path repository = StackConfig.defaults().repository();
        torchattacks = torchattacks != null ? torchattacks : fromEnv("LOGITLAB_TORCHATTACKS");
        autoattack = autoattack != null ? autoattack : fromEnv("LOGITLAB_AUTOATTACK");
        Torch.threads(bench.threads);
        TrainTestSplit data = Datasets.load("fashion-mnist", null);
        Dataset test = data.test();
        List<Row> rows = new ArrayList<>();
        long forwardFlops = 0;
        if (model == null) {
            model = Files.createTempDirectory("logitlab-peers").resolve("small_cnn.pt");
            String reference = PeerProcess.run(repository, python, List.of("reference.py", "--out", model.toString()));
            out.println(reference);
            rows.addAll(training(reference, data));
            forwardFlops = figures(reference).path("forward_flops").asLong();
        }
        double peak;
        try (MeteredClassifier target = new MeteredClassifier(Classifiers.open(model))) {
            peak = PeerLimits.gemmGflops(target.manager());
            if (torchattacks != null) {
                rows.add(single(repository, target, test, "pgd-20", Pgd.crossEntropy(20), 3));
                rows.add(single(repository, target, test, "apgd-ce", new Apgd(Norm.LINF, Apgd.Variant.CE, 100, 1, 0), 3));
                rows.add(single(repository, target, test, "square-1000",
                        new SquareAttack(Norm.LINF, 1000, SquareAttack.P_INIT), 1));
            } else {
                out.println("no torchattacks checkout (--torchattacks or LOGITLAB_TORCHATTACKS): PGD, APGD and Square skipped");
            }
            if (autoattack != null) {
                rows.add(suite(repository, target, test));
            } else {
                out.println("no auto-attack checkout (--autoattack or LOGITLAB_AUTOATTACK): the AutoAttack suite skipped");
            }
        }
        print(out, rows);
        PeerLimits.print(out, rows, forwardFlops, peak, bench.threads);
        Path file = json != null ? json : StackConfig.defaults().home().resolve("bench/peers.json");
        Files.createDirectories(file.toAbsolutePath().getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), rows);
        Path html = BenchReport.write(rows, java.time.LocalDate.now() + ", " + bench.threads + " threads, ε = " + eps + ", "
                + images + " images (AutoAttack: " + autoattackImages + ")", file.resolveSibling("peers.html"));
        out.println("table: " + file.toAbsolutePath() + " and " + html.toAbsolutePath());
        return 0;
    }

    /**
     * Training throughput against PyTorch eager's (reference.py's best epoch after the first, same network, batch,
     * optimiser and data), as seconds per 10,000 images so that a ratio below 1 is faster, like the attacks'.
     */
    private List<Row> training(String reference, TrainTestSplit data) throws Exception {
        JsonNode rates = figures(reference).get("training");
        List<Row> rows = new ArrayList<>();
        for (var e : rates.properties()) {
            boolean adversarial = e.getKey().startsWith("at=");
            TrainingConfig config = new TrainingConfig("fashion-mnist", "small-cnn", e.getKey(), adversarial ? 2 : 3,
                    adversarial ? 5_000 : 10_000, 100, 128, 1e-3, "adam", 0);
            Measures.Throughput ours = Measures.bestThroughput(config, data);
            rows.add(new Row("train " + e.getKey(), "PyTorch eager", 10_000 / ours.imagesPerSecond(),
                    10_000 / e.getValue().asDouble(), Double.NaN, Double.NaN, null, null, ours.steps()));
        }
        return rows;
    }

    /** reference.py's JSON line: training images a second per defense, and the model's forward FLOPs an example. */
    private static JsonNode figures(String reference) throws java.io.IOException {
        String line = reference.lines().filter(l -> l.startsWith("{\"training\"")).findFirst()
                .orElseThrow(() -> new IllegalStateException("reference.py printed no training figures"));
        return new ObjectMapper().readTree(line);
    }

    /**
     * One attack on the first {@code images} test images, after a warm-up on a few, against its peer; both sides
     * report their fastest of {@code repeats} runs (short workloads vary by a few tenths of a second from run to run).
     */
    private Row single(Path repository, MeteredClassifier target, Dataset all, String workload, Attack attack, int repeats)
            throws Exception {
        Dataset test = all.limit(images);
        double seconds = Double.POSITIVE_INFINITY;
        double robust = Double.NaN;
        PeerLimits.Passes passes = null;
        try (NDManager manager = target.manager().newSubManager()) {
            NDArray x = test.images(manager, 0, test.size());
            attack.run(target, x.get("0:20"), Arrays.copyOf(test.labels(), 20), eps, 0);
            for (int r = 0; r < repeats; r++) {
                target.take();
                long start = System.nanoTime();
                boolean[] broken = attack.run(target, x, test.labels(), eps, 1);
                double took = (System.nanoTime() - start) / 1e9;
                if (took < seconds) {
                    seconds = took;
                    passes = target.take();
                }
                robust = Measures.robustAccuracy(broken);
            }
        }
        JsonNode peer = peer(repository, workload, images, repeats);
        return new Row(workload, peer.get("peer").asText(), seconds, peer.get("seconds").asDouble(), robust,
                peer.get("robust").asDouble(), passes, peerPasses(peer), null);
    }

    /** logitlab's autoattack suite (its attacks' own time, the worst case per example) against AutoAttack's standard run. */
    private Row suite(Path repository, MeteredClassifier target, Dataset test) throws Exception {
        EvaluationPlan plan = new EvaluationPlan(List.of(eps), "autoattack", autoattackImages, 1, 0);
        target.take();
        AttackResults results = new Evaluation(target, test, plan, null, null).attack(target.description());
        PeerLimits.Passes passes = target.take();
        double seconds = results.attacks().stream().mapToDouble(a -> a.seconds()).sum();
        double robust = results.worstCase().get(0).robustAccuracy();
        JsonNode peer = peer(repository, "autoattack", autoattackImages, 1);
        return new Row("autoattack", peer.get("peer").asText(), seconds, peer.get("seconds").asDouble(), robust,
                peer.get("robust").asDouble(), passes, peerPasses(peer), null);
    }

    /** The peer's counts, from its JSON line (absent from an older peers.py). */
    private static PeerLimits.Passes peerPasses(JsonNode peer) {
        return peer.has("forward_rows") ? new PeerLimits.Passes(peer.get("forward_rows").asLong(),
                peer.get("gradient_rows").asLong(), peer.get("forward_seconds").asDouble()) : null;
    }

    private JsonNode peer(Path repository, String workload, int n, int repeats) throws Exception {
        List<String> args = new ArrayList<>(List.of("peers.py", "--model", model.toAbsolutePath().toString(),
                "--workload", workload, "--images", Integer.toString(n), "--eps", Double.toString(eps),
                "--repeats", Integer.toString(repeats)));
        if (torchattacks != null) {
            args.addAll(List.of("--torchattacks", torchattacks.toAbsolutePath().toString()));
        }
        if (autoattack != null) {
            args.addAll(List.of("--autoattack", autoattack.toAbsolutePath().toString()));
        }
        String output = PeerProcess.run(repository, python, args);
        String last = output.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b)
                .orElseThrow(() -> new IllegalStateException("the peer printed no result:\n" + output));
        return new ObjectMapper().readTree(last);
    }

    private static void print(PrintWriter out, List<Row> rows) {
        out.printf("%n%-22s %-20s %10s %10s %7s %9s %9s%n", "workload", "peer", "logitlab s", "peer s", "ratio",
                "robust", "peer rob.");
        for (Row r : rows) {
            out.printf("%-22s %-20s %10.2f %10.2f %6.2fx %9s %9s%n", r.workload(), r.peer(), r.seconds(),
                    r.peerSeconds(), r.ratio(), robust(r.robust()), robust(r.peerRobust()));
        }
        out.println("(training rows: seconds per 10,000 images, best epoch after the first)");
        out.flush();
    }

    private static String robust(double value) {
        return Double.isNaN(value) ? "–" : String.format("%.3f", value);
    }

    private static Path fromEnv(String name) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? null : Path.of(value);
    }
}
