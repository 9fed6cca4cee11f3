package dev.logitlab.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.logitlab.cli.stack.StackConfig;
import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.data.TrainTestSplit;
import dev.logitlab.core.evaluation.Evaluation;
import dev.logitlab.core.evaluation.EvaluationPlan;
import dev.logitlab.core.evaluation.ShardTimes;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.Torch;
import dev.logitlab.events.EvaluationReport;
import dev.logitlab.events.Passes;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./lab bench suites}: an attack suite against a reference on every model family ({@link ModelFamilies}), on
 * the same test images: each side's example-passes in its attacks (forward + backward, the sweep and the analysis
 * apart), its robust accuracy (the worst case per example), the ratio of passes, and the examples each found broken
 * that the other left robust. A cheaper suite is only cheaper if it misses nothing. Both worst cases include what
 * the masking checks' own runs broke (the ε sweep, the unbounded run clipped into ε), as every report's does; those
 * runs are the same for both suites except where a suite's own PGD replaces the sweep's at its ε.
 */
@Command(name = "suites", mixinStandardHelpOptions = true,
        description = "An attack suite's passes and strength against a reference suite's, per model family.")
final class BenchSuitesCommand implements Callable<Integer> {

    /** One family's row, with each side's worst case per example (what the misses are counted on). */
    record Row(String family, String reference, Passes referencePasses, double referenceRobust, String suite,
               Passes suitePasses, double suiteRobust, double ratio, int missedBySuite, int missedByReference,
               int images, double eps, String referenceWorst, String suiteWorst) {
    }

    @Spec
    CommandSpec spec;

    @Mixin
    BenchOptions bench = new BenchOptions();

    @Option(names = "--suite", defaultValue = "default", description = "the suite to measure (default: ${DEFAULT-VALUE})")
    String suite;

    @Option(names = "--reference", defaultValue = "autoattack",
            description = "the suite to measure it against (default: ${DEFAULT-VALUE}, logitlab's AutoAttack standard)")
    String reference;

    @Option(names = "--families", split = ",", description = "model families (default: all of "
            + "plain, long-trained, ls+gn, lsq+gn, pgd-trained, saturated, quantised, randomized)")
    List<String> families = ModelFamilies.ALL;

    @Option(names = "--images", defaultValue = "100", description = "test images (default: ${DEFAULT-VALUE}; a "
            + "randomized model gets a fifth: each of its passes is 20 draws)")
    int images;

    @Option(names = "--eps", defaultValue = "0.1", description = "ℓ∞ budget (default: ${DEFAULT-VALUE})")
    double eps;

    @Option(names = "--json", description = "where the table goes as JSON (default: .lab/bench/suites.json)")
    Path json;

    @Option(names = "--reference-from", description = "an earlier table of this bench: its reference runs are taken "
            + "from it where the reference, family and images match, instead of run again (they are deterministic)")
    Path referenceFrom;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Torch.threads(bench.threads);
        TrainTestSplit data = Datasets.load("fashion-mnist", bench.dataDir);
        ModelFamilies models = new ModelFamilies(data);
        List<Row> rows = new ArrayList<>();
        List<Row> earlier = referenceFrom == null ? List.of() : List.of(new ObjectMapper().readValue(
                referenceFrom.toFile(), Row[].class));
        out.printf("%s against %s, ℓ∞ ε=%s, the first %d Fashion-MNIST test images%n", suite, reference, eps, images);
        out.printf("%-13s %14s %9s %14s %9s %7s %12s %12s%n", "family", "reference", "robust", "suite", "robust",
                "ratio", "missed by", "missed by");
        out.printf("%-13s %14s %9s %14s %9s %7s %12s %12s%n", "", "passes", "", "passes", "", "", "the suite",
                "the reference");
        for (String family : families) {
            int n = family.equals("randomized") ? Math.max(10, images / 5) : images;
            Row kept = earlier.stream().filter(r -> r.family().equals(family) && r.reference().equals(reference)
                    && r.images() == n && r.eps() == eps).findFirst().orElse(null);
            Side ref = kept != null ? new Side(kept.referencePasses(), kept.referenceRobust(), kept.referenceWorst())
                    : Side.of(evaluate(models, family, reference, n));
            Row row = row(family, eps, reference, ref, suite, Side.of(evaluate(models, family, suite, n)));
            rows.add(row);
            out.printf(Locale.ROOT, "%-13s %,14d %9.3f %,14d %9.3f %6.2fx %12d %12d%n", family,
                    row.referencePasses().total(), row.referenceRobust(), row.suitePasses().total(), row.suiteRobust(),
                    row.ratio(), row.missedBySuite(), row.missedByReference());
            out.flush();
        }
        out.println("(passes: forward + backward example-passes in the attacks; missed by the suite: examples the "
                + "reference broke and the suite left robust)");
        Path file = json != null ? json : StackConfig.defaults().home().resolve("bench/suites.json");
        Files.createDirectories(file.toAbsolutePath().getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), rows);
        out.println("table: " + file.toAbsolutePath());
        return 0;
    }

    private EvaluationReport evaluate(ModelFamilies models, String family, String attacks, int n) {
        EvaluationPlan plan = new EvaluationPlan(List.of(eps), attacks, n, 0, 0);
        try (Classifier model = models.open(family)) {
            return new Evaluation(model, Datasets.load("fashion-mnist", bench.dataDir).test(), plan, null, null)
                    .run(family);
        }
    }

    /** One suite's figures on one family: its passes, its robust accuracy and its worst case per example. */
    record Side(Passes passes, double robust, String worst) {

        static Side of(EvaluationReport report) {
            return new Side(attackPasses(report), report.worstCase().get(0).robustAccuracy(),
                    report.worstCase().get(0).robust());
        }
    }

    /** The two sides of one family; both judged the same examples in the same order. */
    static Row row(String family, double eps, String referenceName, Side reference, String suiteName, Side suite) {
        Passes ref = reference.passes();
        Passes ours = suite.passes();
        String r = reference.worst();
        String s = suite.worst();
        int missedBySuite = 0;
        int missedByReference = 0;
        for (int i = 0; i < r.length(); i++) {
            missedBySuite += r.charAt(i) == '0' && s.charAt(i) == '1' ? 1 : 0;
            missedByReference += s.charAt(i) == '0' && r.charAt(i) == '1' ? 1 : 0;
        }
        return new Row(family, referenceName, ref, reference.robust(), suiteName, ours, suite.robust(),
                ours.total() / (double) ref.total(), missedBySuite, missedByReference, r.length(), eps, r, s);
    }

    /** What the suite spent for its figure ({@link ShardTimes#suitePasses}); every stage must have counted. */
    static Passes attackPasses(EvaluationReport report) {
        Passes passes = ShardTimes.suitePasses(report);
        if (passes == null) {
            throw new IllegalStateException("a stage of " + report.model() + " did not count its passes");
        }
        return passes;
    }
}
