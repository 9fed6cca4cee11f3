package dev.logitlab.core.evaluation;

import dev.logitlab.core.attack.Attack;
import dev.logitlab.core.attack.AttackSuite;
import dev.logitlab.core.attack.Budget;
import dev.logitlab.core.attack.Norm;
import dev.logitlab.core.attack.Pgd;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * An evaluation split into shards, each one attack at one budget (norm and ε) on one range of examples: about the same work each
 * ({@value #WORK_PER_SHARD} forward-pass equivalents, e.g. PGD-20 on 100 examples), so shards spread evenly over
 * attack replicas whatever the attack; a cheap attack takes up to {@value #MAX_EXAMPLES} examples a shard, an
 * expensive one down to {@value #MIN_EXAMPLES}. The plan is a pure function of the evaluation plan and the number of
 * examples, so every replica derives the same shards, and {@link WorstCaseMerge} puts their outcomes back together.
 * The plan's attacks run in each norm with budgets: each attack at each of its norm's budgets, or, for a cascade
 * spec, one chain of them per range of examples (sized for the costliest attack). Besides them it holds
 * the ℓ∞ runs the masking checks need: a PGD sweep over ε/4 … 4ε of the largest ε (where the plan has no PGD run at
 * that ε) and PGD on the margin loss at ε = 1.
 */
public final class ShardPlan {

    static final double WORK_PER_SHARD = 6000;
    static final int MIN_EXAMPLES = 20;
    static final int MAX_EXAMPLES = 500;
    static final double UNBOUNDED_EPS = 1.0;
    /** A gradient-free shard after the gradient attacks is sized as if one example in this many survived them. */
    static final int SURVIVOR_SHARE = 5;
    /** The PGD of the sweep. */
    static final Attack SWEEP_PGD = Pgd.crossEntropy(20);
    /** The unbounded run uses the margin loss: a confident model saturates cross-entropy even at ε = 1. */
    static final Attack UNBOUNDED_PGD = new Pgd(Norm.LINF, Pgd.Loss.MARGIN, 20, null, 1);

    /** What a shard runs: one of the plan's attacks, all of a norm's attacks as a cascade, a sweep point, or the unbounded run. */
    public enum Kind { ATTACK, CASCADE, SWEEP, UNBOUNDED }

    /**
     * Shard {@code index}: {@code attack} indexes the plan's attacks (for a cascade its first; -1 for sweep and
     * unbounded shards).
     */
    public record Shard(int index, Kind kind, int attack, String attackName, Norm norm, double eps, int from, int to) {

        public Budget budget() {
            return new Budget(norm, eps);
        }
    }

    private final EvaluationPlan plan;
    private final List<Attack> attacks;
    private final int examples;
    private final List<Double> sweepEps;
    private final boolean cascade;
    private final List<Shard> shards = new ArrayList<>();

    /** {@code attacks}: the plan's attacks in each of its norms, as {@link AttackPhase#attacks} builds them. */
    public ShardPlan(EvaluationPlan plan, List<Attack> attacks, int examples) {
        this(plan, attacks, examples, true);
    }

    /**
     * The same shards judged by the rule before targeted attacks waited ({@link #RULE}'s predecessor): an evaluation
     * planned under it has its targeted shards queued with the first wave already. The shards are the same.
     */
    public ShardPlan previousRule() {
        return new ShardPlan(plan, attacks, examples, false);
    }

    private ShardPlan(EvaluationPlan plan, List<Attack> attacks, int examples, boolean targetedWave) {
        this.targetedWave = targetedWave;
        this.plan = plan;
        this.attacks = List.copyOf(attacks);
        this.examples = examples;
        double top = plan.eps().get(plan.eps().size() - 1);
        TreeSet<Double> sweep = new TreeSet<>(plan.eps());
        for (double factor : new double[] {0.25, 0.5, 2, 4}) {
            sweep.add(Math.min(UNBOUNDED_EPS, top * factor));
        }
        this.sweepEps = List.copyOf(sweep);
        this.cascade = AttackSuite.cascades(plan.attacks());
        for (Budget budget : plan.budgets()) {
            if (cascade) {
                addCascade(budget);
                continue;
            }
            for (int a = 0; a < attacks.size(); a++) {
                if (attacks.get(a).norm() == budget.norm()) {
                    add(Kind.ATTACK, a, attacks.get(a), budget.eps());
                }
            }
        }
        for (double eps : sweepEps) {
            if (pgdRunAt(eps) < 0) {
                add(Kind.SWEEP, -1, SWEEP_PGD, eps);
            }
        }
        add(Kind.UNBOUNDED, -1, UNBOUNDED_PGD, UNBOUNDED_EPS);
    }

    private void add(Kind kind, int index, Attack attack, double eps) {
        int size = examplesPerShard(attack);
        if (kind == Kind.ATTACK && !cascade && wave(attack) == LAST_WAVE) {
            // A gradient-free shard sees only the gradient attacks' survivors, a few of its range: sized for all of
            // them, its batches were a handful of images, each query mostly a forward's fixed cost. A targeted one
            // keeps its size: on a robust model half its range may survive, and its shard has a time limit.
            size = Math.min(MAX_EXAMPLES, SURVIVOR_SHARE * size);
        }
        add(kind, index, attack.name(), attack.norm(), eps, size);
    }

    /** One shard per range running the norm's attacks in turn, sized for the costliest of them. */
    private void addCascade(Budget budget) {
        List<Integer> chain = chain(budget.norm());
        int size = chain.stream().mapToInt(a -> examplesPerShard(attacks.get(a))).min().orElseThrow();
        String name = String.join(">", chain.stream().map(a -> attacks.get(a).name()).toList());
        add(Kind.CASCADE, chain.get(0), name, budget.norm(), budget.eps(), size);
    }

    private void add(Kind kind, int index, String name, Norm norm, double eps, int size) {
        for (int from = 0; from < examples; from += size) {
            shards.add(new Shard(shards.size(), kind, index, name, norm, eps, from, Math.min(examples, from + size)));
        }
    }

    /** The indices of the plan's attacks in a norm, in the spec's order: a cascade's stages. */
    public List<Integer> chain(Norm norm) {
        List<Integer> chain = new ArrayList<>();
        for (int a = 0; a < attacks.size(); a++) {
            if (attacks.get(a).norm() == norm) {
                chain.add(a);
            }
        }
        return chain;
    }

    /**
     * The wave a shard runs in; each attacks only the examples every attack of the waves before it at its budget left
     * robust ({@link Survivors}), as AutoAttack's order does: 0, untargeted gradient attacks (and everything of a plan
     * without such an order, and cascades); 1, targeted gradient attacks beside untargeted ones of their norm; 2,
     * gradient-free attacks beside gradient attacks of their norm. An example an earlier attack broke is out of the
     * worst case whatever else breaks it, and the masking checks compare what later attacks add to the union of the
     * earlier ones, so attacking it again changes neither.
     */
    public static final int LAST_WAVE = 2;
    /** The rule {@link #wave} follows, part of an evaluation's identity wherever its shards are kept or planned. */
    public static final String RULE = "targeted-after-untargeted,gradient-free-after-gradients";
    public static final String PREVIOUS_RULE = "gradient-free-after-gradients";
    private final boolean targetedWave;

    public int wave(Shard shard) {
        return shard.kind() == Kind.ATTACK && !cascade ? wave(attacks.get(shard.attack())) : 0;
    }

    private int wave(Attack attack) {
        if (!attack.usesGradients()) {
            return attacks.stream().anyMatch(a -> a.norm() == attack.norm() && a.usesGradients()) ? 2 : 0;
        }
        return targetedWave && attack.targeted() && attacks.stream().anyMatch(a -> a.norm() == attack.norm()
                && a.usesGradients() && !a.targeted()) ? 1 : 0;
    }

    /** Whether a shard attacks only the survivors of earlier waves, and so waits for them. */
    public boolean survivorsOnly(Shard shard) {
        return wave(shard) > 0;
    }

    /** The shards at a shard's budget in earlier waves than its own: what it waits for. */
    public List<Shard> earlier(Shard shard) {
        int wave = wave(shard);
        return shards.stream().filter(s -> s.kind() == Kind.ATTACK && s.budget().equals(shard.budget())
                && wave(s) < wave).toList();
    }

    /** Whether the plan's attacks run as a cascade ({@link AttackSuite#cascades}). */
    public boolean cascade() {
        return cascade;
    }

    /** Examples per shard of an attack: {@link #WORK_PER_SHARD} over its cost, in tens, within the bounds. */
    static int examplesPerShard(Attack attack) {
        int tens = (int) Math.floor(WORK_PER_SHARD / Math.max(1e-9, attack.cost()) / 10);
        return Math.max(MIN_EXAMPLES, Math.min(MAX_EXAMPLES, tens * 10));
    }

    /** The index of the plan's ℓ∞ attack named pgd when ε is one of the plan's ℓ∞ budgets and it runs on its own, else -1. */
    int pgdRunAt(double eps) {
        if (cascade || !plan.eps().contains(eps)) {
            return -1;
        }
        for (int a = 0; a < attacks.size(); a++) {
            if (attacks.get(a).name().equals(SWEEP_PGD.name()) && attacks.get(a).norm() == Norm.LINF) {
                return a;
            }
        }
        return -1;
    }

    public List<Shard> shards() {
        return List.copyOf(shards);
    }

    /**
     * The plan's work in forward-pass equivalents, at most what its shards spend (every example attacked by every
     * attack of its shard, as if none broke early): what {@link dev.logitlab.core.attack.CostLimits} budgets.
     */
    public double work() {
        double work = 0;
        for (Shard s : shards) {
            double perExample = s.kind() == Kind.CASCADE
                    ? chain(s.norm()).stream().mapToDouble(a -> attacks.get(a).cost()).sum()
                    : s.kind() == Kind.UNBOUNDED ? UnboundedRun.cost(plan.budgets().size()) : attackOf(s).cost();
            work += perExample * (s.to() - s.from());
        }
        return work;
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

    /** The attack a shard runs; a cascade shard runs {@link #chain} instead. */
    Attack attackOf(Shard shard) {
        return switch (shard.kind()) {
            case ATTACK, CASCADE -> attacks.get(shard.attack());
            case SWEEP -> SWEEP_PGD;
            case UNBOUNDED -> UNBOUNDED_PGD;
        };
    }
}
