package dev.logitlab.core.evaluation;

import ai.djl.ndarray.NDManager;
import dev.logitlab.core.attack.Attack;
import dev.logitlab.core.attack.AttackSuite;
import dev.logitlab.core.attack.Losses;
import dev.logitlab.core.attack.Pgd;
import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.events.AttackResults;
import dev.logitlab.events.EvaluationReport.AttackRun;
import dev.logitlab.events.EvaluationReport.RobustAt;
import dev.logitlab.events.EvaluationReport.WorstCase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Attacks a classifier: every attack of the plan at every ε (worst case per example), plus the runs the masking
 * checks need, a PGD sweep over ε/4 … 4ε of the largest ε and PGD at ε = 1. What the attack service runs.
 */
public final class AttackPhase {

    static final double UNBOUNDED_EPS = 1.0;

    private final Classifier model;
    private final Dataset data;
    private final EvaluationPlan plan;
    private final List<Attack> attacks;
    private final List<Double> sweepEps;

    public AttackPhase(Classifier model, Dataset test, EvaluationPlan plan, Classifier surrogate) {
        this.model = model;
        this.data = test.limit(plan.limit());
        this.plan = plan;
        this.attacks = AttackSuite.parse(plan.attacks(), surrogate);
        double top = plan.eps().get(plan.eps().size() - 1);
        TreeSet<Double> sweep = new TreeSet<>(plan.eps());
        for (double factor : new double[] {0.25, 0.5, 2, 4}) {
            sweep.add(Math.min(UNBOUNDED_EPS, top * factor));
        }
        this.sweepEps = List.copyOf(sweep);
    }

    /** The stages {@link #run} reports. */
    public int stages() {
        return 1 + plan.eps().size() * attacks.size() + sweepEps.size() + 1;
    }

    public AttackResults run(String modelName, EvaluationListener listener) {
        Stages stages = new Stages(listener, stages());
        int n = data.size();
        stages.next("clean accuracy");
        boolean[] wrong = cleanMistakes();
        List<AttackRun> runs = new ArrayList<>();
        List<WorstCase> worstCase = new ArrayList<>();
        for (double eps : plan.eps()) {
            boolean[] anyBroken = wrong.clone();
            for (Attack attack : attacks) {
                stages.next(attack.name() + " ε=" + eps);
                long start = System.nanoTime();
                boolean[] broken = attackAll(attack, eps);
                double seconds = (System.nanoTime() - start) / 1e9;
                runs.add(new AttackRun(attack.name(), eps, Batching.robustAccuracy(broken), seconds,
                        attack.params(eps), Batching.robustString(negate(wrong), broken)));
                for (int i = 0; i < n; i++) {
                    anyBroken[i] |= broken[i];
                }
            }
            worstCase.add(new WorstCase(eps, Batching.robustAccuracy(anyBroken)));
        }
        Pgd pgd = Pgd.crossEntropy(20);
        List<RobustAt> sweep = new ArrayList<>();
        for (double eps : sweepEps) {
            stages.next("pgd sweep ε=" + eps);
            AttackRun done = runs.stream().filter(r -> r.name().equals("pgd") && r.eps() == eps).findFirst().orElse(null);
            sweep.add(new RobustAt(eps, done != null ? done.robustAccuracy()
                    : Batching.robustAccuracy(attackAll(pgd, eps))));
        }
        stages.next("pgd unbounded ε=" + UNBOUNDED_EPS);
        RobustAt unbounded = new RobustAt(UNBOUNDED_EPS, Batching.robustAccuracy(attackAll(pgd, UNBOUNDED_EPS)));
        stages.done();
        return new AttackResults(modelName, Batching.datasetName(data), n, plan.seed(),
                Batching.robustString(negate(wrong), wrong), runs, worstCase, sweep, unbounded);
    }

    private boolean[] cleanMistakes() {
        int n = data.size();
        boolean[] wrong = new boolean[n];
        for (int from = 0; from < n; from += Batching.CHUNK) {
            int to = Math.min(n, from + Batching.CHUNK);
            try (NDManager scope = model.manager().newSubManager()) {
                boolean[] part = Losses.misclassified(model.logits(data.images(scope, from, to)),
                        Arrays.copyOfRange(data.labels(), from, to));
                System.arraycopy(part, 0, wrong, from, to - from);
            }
        }
        return wrong;
    }

    private boolean[] attackAll(Attack attack, double eps) {
        int n = data.size();
        boolean[] broken = new boolean[n];
        for (int from = 0; from < n; from += Batching.CHUNK) {
            int to = Math.min(n, from + Batching.CHUNK);
            try (NDManager scope = model.manager().newSubManager()) {
                long seed = Objects.hash(plan.seed(), attack.name(), eps, from);
                boolean[] part = attack.run(model, data.images(scope, from, to),
                        Arrays.copyOfRange(data.labels(), from, to), eps, seed);
                System.arraycopy(part, 0, broken, from, to - from);
            }
        }
        return broken;
    }

    private static boolean[] negate(boolean[] values) {
        boolean[] out = new boolean[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = !values[i];
        }
        return out;
    }
}
