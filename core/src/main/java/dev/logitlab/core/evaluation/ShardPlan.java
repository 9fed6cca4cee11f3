package dev.logitlab.core.evaluation;

import dev.logitlab.core.attack.Attack;
import dev.logitlab.core.attack.Pgd;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * An evaluation split into shards, each one attack at one ε on one range of at most {@value #EXAMPLES_PER_SHARD}
 * examples: seconds of work that any attack replica can take. The plan is a pure function of the evaluation plan
 * and the number of examples, so every replica derives the same shards, and {@link WorstCaseMerge} puts their
 * outcomes back together. Besides the plan's attacks it holds the runs the masking checks need: a PGD sweep over
 * ε/4 … 4ε of the largest ε (where the plan has no PGD run at that ε) and PGD at ε = 1.
 */
public final class ShardPlan {

    public static final int EXAMPLES_PER_SHARD = 100;
    static final double UNBOUNDED_EPS = 1.0;
    /** The PGD of the sweep and the unbounded run. */
    static final Attack SWEEP_PGD = Pgd.crossEntropy(20);

    /** What a shard runs: one of the plan's attacks, a sweep point, or the unbounded run. */
    public enum Kind { ATTACK, SWEEP, UNBOUNDED }

    /** Shard {@code index}: {@code attack} indexes the plan's attacks (-1 for sweep and unbounded shards). */
    public record Shard(int index, Kind kind, int attack, String attackName, double eps, int from, int to) {
    }

    private final EvaluationPlan plan;
    private final List<Attack> attacks;
    private final int examples;
    private final List<Double> sweepEps;
    private final List<Shard> shards = new ArrayList<>();

    public ShardPlan(EvaluationPlan plan, List<Attack> attacks, int examples) {
        this.plan = plan;
        this.attacks = List.copyOf(attacks);
        this.examples = examples;
        double top = plan.eps().get(plan.eps().size() - 1);
        TreeSet<Double> sweep = new TreeSet<>(plan.eps());
        for (double factor : new double[] {0.25, 0.5, 2, 4}) {
            sweep.add(Math.min(UNBOUNDED_EPS, top * factor));
        }
        this.sweepEps = List.copyOf(sweep);
        for (double eps : plan.eps()) {
            for (int a = 0; a < attacks.size(); a++) {
                add(Kind.ATTACK, a, attacks.get(a).name(), eps);
            }
        }
        for (double eps : sweepEps) {
            if (pgdRunAt(eps) < 0) {
                add(Kind.SWEEP, -1, SWEEP_PGD.name(), eps);
            }
        }
        add(Kind.UNBOUNDED, -1, SWEEP_PGD.name(), UNBOUNDED_EPS);
    }

    private void add(Kind kind, int attack, String name, double eps) {
        for (int from = 0; from < examples; from += EXAMPLES_PER_SHARD) {
            shards.add(new Shard(shards.size(), kind, attack, name, eps, from, Math.min(examples, from + EXAMPLES_PER_SHARD)));
        }
    }

    /** The index of the plan's attack named pgd when ε is one of the plan's budgets, else -1. */
    int pgdRunAt(double eps) {
        if (!plan.eps().contains(eps)) {
            return -1;
        }
        for (int a = 0; a < attacks.size(); a++) {
            if (attacks.get(a).name().equals(SWEEP_PGD.name())) {
                return a;
            }
        }
        return -1;
    }

    public List<Shard> shards() {
        return List.copyOf(shards);
    }

    public Shard shard(int index) {
        return shards.get(index);
    }

    public EvaluationPlan plan() {
        return plan;
    }

    public List<Attack> attacks() {
        return attacks;
    }

    public int examples() {
        return examples;
    }

    List<Double> sweepEps() {
        return sweepEps;
    }

    /** The attack a shard runs. */
    Attack attackOf(Shard shard) {
        return shard.kind() == Kind.ATTACK ? attacks.get(shard.attack()) : SWEEP_PGD;
    }
}
