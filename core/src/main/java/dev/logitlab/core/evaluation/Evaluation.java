package dev.logitlab.core.evaluation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.logitlab.core.analysis.GapStatistics;
import dev.logitlab.core.analysis.GapSummaries;
import dev.logitlab.core.analysis.MaskingCheck;
import dev.logitlab.core.analysis.MaskingEvidence;
import dev.logitlab.core.analysis.MinimalEpsilon;
import dev.logitlab.core.attack.Attack;
import dev.logitlab.core.attack.AttackSuite;
import dev.logitlab.core.attack.Losses;
import dev.logitlab.core.attack.Pgd;
import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.events.EvaluationReport;
import dev.logitlab.events.EvaluationReport.AttackRun;
import dev.logitlab.events.EvaluationReport.WorstCase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Evaluates a classifier: clean accuracy, every attack at every ε (worst case per example), the extra runs the
 * masking checks need (a PGD ε-sweep and an unbounded PGD), gap statistics with minimal-ε searches, and the
 * verdict. Attacks run on chunks of {@value #CHUNK} images.
 */
public final class Evaluation {

    static final int CHUNK = 500;
    static final double UNBOUNDED_EPS = 1.0;
    static final double SEARCH_MAX_EPS = 0.5;
    static final int BISECTIONS = 6;

    private final Classifier model;
    private final Dataset data;
    private final EvaluationPlan plan;
    private final List<Attack> attacks;
    private final EvaluationListener listener;
    private final List<Double> sweepEps;
    private final int totalStages;
    private int stage;

    public Evaluation(Classifier model, Dataset test, EvaluationPlan plan, Classifier surrogate,
                      EvaluationListener listener) {
        this.model = model;
        this.data = test.limit(plan.limit());
        this.plan = plan;
        this.attacks = AttackSuite.parse(plan.attacks(), surrogate);
        this.listener = listener == null ? EvaluationListener.NONE : listener;
        double top = plan.eps().get(plan.eps().size() - 1);
        TreeSet<Double> sweep = new TreeSet<>(plan.eps());
        for (double factor : new double[] {0.25, 0.5, 2, 4}) {
            sweep.add(Math.min(UNBOUNDED_EPS, top * factor));
        }
        this.sweepEps = List.copyOf(sweep);
        this.totalStages = 2 + plan.eps().size() * attacks.size() + sweepEps.size() + 1 + (plan.gapLimit() > 0 ? 3 : 0);
    }

    public EvaluationReport run(String modelName) {
        int n = data.size();
        int[] labels = data.labels();
        stage("clean accuracy");
        Clean clean = clean();
        List<AttackRun> runs = new ArrayList<>();
        List<MaskingEvidence.Outcome> outcomes = new ArrayList<>();
        List<WorstCase> worstCase = new ArrayList<>();
        for (double eps : plan.eps()) {
            boolean[] anyBroken = negate(clean.correct());
            for (Attack attack : attacks) {
                stage(attack.name() + " ε=" + eps);
                long start = System.nanoTime();
                boolean[] broken = attackAll(attack, eps);
                double seconds = (System.nanoTime() - start) / 1e9;
                outcomes.add(new MaskingEvidence.Outcome(attack.name(), eps, attack.usesGradients(), broken));
                runs.add(new AttackRun(attack.name(), eps, robustAccuracy(broken), seconds, attack.params(eps),
                        robustString(clean.correct(), broken)));
                for (int i = 0; i < n; i++) {
                    anyBroken[i] |= broken[i];
                }
            }
            worstCase.add(new WorstCase(eps, robustAccuracy(anyBroken)));
        }
        TreeMap<Double, Double> sweep = new TreeMap<>();
        Pgd pgd = Pgd.crossEntropy(20);
        for (double eps : sweepEps) {
            stage("pgd sweep ε=" + eps);
            MaskingEvidence.Outcome done = find(outcomes, "pgd", eps);
            sweep.put(eps, robustAccuracy(done != null ? done.broken() : attackAll(pgd, eps)));
        }
        stage("pgd unbounded ε=" + UNBOUNDED_EPS);
        double unbounded = robustAccuracy(attackAll(pgd, UNBOUNDED_EPS));
        EvaluationReport.GapSummary gaps = plan.gapLimit() > 0 ? gaps(clean.correct()) : null;
        stage("masking checks");
        MaskingEvidence evidence = new MaskingEvidence(clean.correct(), outcomes, sweep, UNBOUNDED_EPS, unbounded,
                clean.gradientL1(), clean.probabilityRows(), clean.outputVariation());
        List<EvaluationReport.Check> checks = MaskingCheck.evaluateAll(evidence);
        boolean suspected = checks.stream().anyMatch(c -> !c.passed());
        listener.onStage("done", totalStages, totalStages);
        return new EvaluationReport(EvaluationReport.SCHEMA, modelName, datasetName(), n, plan.seed(),
                robustAccuracy(negate(clean.correct())), runs, worstCase, gaps,
                new EvaluationReport.Masking(suspected, checks));
    }

    /** Clean predictions and the output and gradient properties the checks need. */
    private record Clean(boolean[] correct, float[] gradientL1, double probabilityRows, double outputVariation) {
    }

    private Clean clean() {
        int n = data.size();
        boolean[] correct = new boolean[n];
        List<Float> gradientNorms = new ArrayList<>();
        long probabilityRows = 0;
        double variation = 0;
        for (int from = 0; from < n; from += CHUNK) {
            int to = Math.min(n, from + CHUNK);
            int[] y = Arrays.copyOfRange(data.labels(), from, to);
            try (NDManager scope = model.manager().newSubManager()) {
                NDArray x = images(scope, from, to);
                NDArray logits = model.logits(x);
                boolean[] wrong = Losses.misclassified(logits, y);
                NDArray again = model.logits(x);
                variation = Math.max(variation, logits.sub(again).abs().max().getFloat());
                probabilityRows += probabilityRows(logits);
                NDArray gradient = model.gradient(x, z -> Losses.crossEntropy(z, oneHot(y, z)).sum());
                float[] l1 = gradient.abs().sum(new int[] {1, 2, 3}).toFloatArray();
                for (int i = 0; i < y.length; i++) {
                    correct[from + i] = !wrong[i];
                    if (!wrong[i]) {
                        gradientNorms.add(l1[i]);
                    }
                }
            }
        }
        float[] norms = new float[gradientNorms.size()];
        for (int i = 0; i < norms.length; i++) {
            norms[i] = gradientNorms.get(i);
        }
        return new Clean(correct, norms, (double) probabilityRows / n, variation);
    }

    private static long probabilityRows(NDArray logits) {
        NDArray inRange = logits.gte(0).logicalAnd(logits.lte(1))
                .toType(ai.djl.ndarray.types.DataType.FLOAT32, false).min(new int[] {1}).eq(1);
        NDArray sumsToOne = logits.sum(new int[] {1}).sub(1).abs().lt(1e-3f);
        return inRange.logicalAnd(sumsToOne).sum().getLong();
    }

    /** Gap statistics and minimal ε on the first {@code gapLimit} correctly classified examples. */
    private EvaluationReport.GapSummary gaps(boolean[] correct) {
        int[] chosen = java.util.stream.IntStream.range(0, correct.length).filter(i -> correct[i])
                .limit(plan.gapLimit()).toArray();
        Dataset subset = data.select(chosen);
        GapStatistics[] stats = new GapStatistics[chosen.length];
        float[] fgsm = new float[chosen.length];
        float[] pgd = new float[chosen.length];
        String[] stages = {"gap statistics (Eq. 4)", "minimal ε for FGSM", "minimal ε for PGD"};
        for (int part = 0; part < 3; part++) {
            stage(stages[part]);
            for (int from = 0; from < chosen.length; from += CHUNK) {
                int to = Math.min(chosen.length, from + CHUNK);
                int[] y = Arrays.copyOfRange(subset.labels(), from, to);
                try (NDManager scope = model.manager().newSubManager()) {
                    NDArray x = images(scope, subset, from, to);
                    switch (part) {
                        case 0 -> System.arraycopy(GapStatistics.measure(model, x, y), 0, stats, from, to - from);
                        case 1 -> System.arraycopy(MinimalEpsilon.fgsm(model, x, y, SEARCH_MAX_EPS, BISECTIONS), 0,
                                fgsm, from, to - from);
                        default -> System.arraycopy(MinimalEpsilon.pgd(model, x, y, SEARCH_MAX_EPS, BISECTIONS,
                                plan.seed()), 0, pgd, from, to - from);
                    }
                }
            }
        }
        return GapSummaries.summarize(stats, fgsm, pgd);
    }

    private boolean[] attackAll(Attack attack, double eps) {
        int n = data.size();
        boolean[] broken = new boolean[n];
        for (int from = 0; from < n; from += CHUNK) {
            int to = Math.min(n, from + CHUNK);
            int[] y = Arrays.copyOfRange(data.labels(), from, to);
            try (NDManager scope = model.manager().newSubManager()) {
                long seed = Objects.hash(plan.seed(), attack.name(), eps, from);
                boolean[] part = attack.run(model, images(scope, from, to), y, eps, seed);
                System.arraycopy(part, 0, broken, from, to - from);
            }
        }
        return broken;
    }

    private NDArray images(NDManager manager, int from, int to) {
        return images(manager, data, from, to);
    }

    private static NDArray images(NDManager manager, Dataset set, int from, int to) {
        float[] buffer = new float[(to - from) * set.imageSize()];
        set.copyImages(from, to, buffer);
        return manager.create(buffer, new Shape(to - from, set.channels(), set.height(), set.width()));
    }

    private static NDArray oneHot(int[] labels, NDArray logits) {
        long[] values = Arrays.stream(labels).asLongStream().toArray();
        return logits.getManager().create(values).oneHot((int) logits.getShape().get(1))
                .toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
    }

    private double robustAccuracy(boolean[] broken) {
        int robust = 0;
        for (boolean b : broken) {
            robust += b ? 0 : 1;
        }
        return (double) robust / broken.length;
    }

    private static String robustString(boolean[] correct, boolean[] broken) {
        StringBuilder s = new StringBuilder(correct.length);
        for (int i = 0; i < correct.length; i++) {
            s.append(!correct[i] ? 'x' : broken[i] ? '0' : '1');
        }
        return s.toString();
    }

    private static boolean[] negate(boolean[] values) {
        boolean[] out = new boolean[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = !values[i];
        }
        return out;
    }

    private static MaskingEvidence.Outcome find(List<MaskingEvidence.Outcome> outcomes, String attack, double eps) {
        return outcomes.stream().filter(o -> o.attack().equals(attack) && o.eps() == eps).findFirst().orElse(null);
    }

    private String datasetName() {
        String name = data.name();
        int slash = name.indexOf('/');
        return slash < 0 ? name : name.substring(0, slash);
    }

    private void stage(String name) {
        listener.onStage(name, stage++, totalStages);
    }
}
