package dev.logitlab.core.evaluation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.logitlab.core.attack.ActiveSet;
import dev.logitlab.core.attack.Attack;
import dev.logitlab.core.attack.AttackSuite;
import dev.logitlab.core.attack.CostLimits;
import dev.logitlab.core.attack.ExpectationOverTransformation;
import dev.logitlab.core.attack.Norm;
import dev.logitlab.core.attack.Losses;
import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.evaluation.ShardPlan.Shard;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.PassMeter;
import dev.logitlab.events.AttackResults;
import dev.logitlab.events.Passes;
import dev.logitlab.events.ShardOutcome;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Attacks a classifier shard by shard ({@link ShardPlan}): the attack service runs single shards on whichever
 * replica takes them, {@code ./lab evaluate} runs them all in turn ({@link Evaluation}); both merge with
 * {@link WorstCaseMerge}.
 * A model with random outputs is attacked through its expectation over transformation.
 */
public final class AttackPhase {

    private final PassMeter meter;
    private final Classifier model;
    private final Dataset data;
    private final ShardPlan shards;

    public AttackPhase(Classifier model, Dataset test, EvaluationPlan plan, Classifier surrogate) {
        this.data = test.limit(plan.limit());
        this.meter = PassMeter.of(model);
        this.model = ExpectationOverTransformation.ifRandom(meter, data);
        this.shards = new ShardPlan(plan, attacks(plan, surrogate), data.size());
    }

    /** The shards of an evaluation plan on a test set, without a model (what the attack service plans). */
    public static ShardPlan plan(EvaluationPlan plan, Dataset test) {
        return plan(plan, test, null);
    }

    /** The same with a surrogate for the transfer attack, named by {@code surrogate} (null: none) but not loaded. */
    public static ShardPlan plan(EvaluationPlan plan, Dataset test, String surrogate) {
        return new ShardPlan(plan, attacks(plan, surrogate == null ? null : AttackSuite.unloaded(surrogate)),
                test.limit(plan.limit()).size());
    }

    /**
     * Refuses a plan over {@code limits} (the size, each attack option, the work of the shards and of the analysis),
     * before anything is attacked; {@code draws} multiplies the work: {@link ExpectationOverTransformation#DRAWS} for
     * a randomized model, else 1; {@code classes}: the data set's.
     */
    public static ShardPlan planWithin(EvaluationPlan plan, int examples, int classes, CostLimits limits, int draws) {
        limits.checkSize(examples, plan.budgets().size());
        List<Attack> attacks = new ArrayList<>();
        for (Norm norm : plan.norms()) {
            attacks.addAll(AttackSuite.parse(plan.attacks(), null, norm, limits));
        }
        ShardPlan shards = new ShardPlan(plan, attacks, examples);
        limits.checkWork((shards.work() + AnalysisCost.of(plan, examples, classes, attacks)) * draws
                + (draws > 1 ? SingleDraws.cost(plan, examples, draws) : 0));
        return shards;
    }

    /** How many forward passes one of the model's logits costs: the EOT draws of a randomized model, else 1. */
    public int draws() {
        return model instanceof ExpectationOverTransformation ? ExpectationOverTransformation.DRAWS : 1;
    }

    /** The plan's attack spec built in each of its norms, ℓ∞ first. */
    static List<Attack> attacks(EvaluationPlan plan, dev.logitlab.core.model.Classifier surrogate) {
        List<Attack> attacks = new ArrayList<>();
        for (Norm norm : plan.norms()) {
            attacks.addAll(AttackSuite.parse(plan.attacks(), surrogate, norm));
        }
        return List.copyOf(attacks);
    }

    public ShardPlan shards() {
        return shards;
    }

    /**
     * One shard: its attack at its budget on its examples, seeded by (plan seed, attack, [norm,] ε, first example).
     * {@code attacked} ({@link Survivors}) limits it to the examples marked '1', the others count as broken; null
     * attacks them all.
     */
    public ShardOutcome run(Shard shard, String attacked) {
        Passes counted = meter.count();
        ShardOutcome outcome = attack(shard, attacked, counted);
        return new ShardOutcome(outcome.shard(), outcome.robust(), outcome.seconds(), outcome.cascade(),
                outcome.clipped(), meter.count().minus(counted));
    }

    private ShardOutcome attack(Shard shard, String attacked, Passes counted) {
        int[] y = Arrays.copyOfRange(data.labels(), shard.from(), shard.to());
        try (NDManager scope = model.manager().newSubManager()) {
            NDArray x = data.images(scope, shard.from(), shard.to());
            boolean[] wrong = Losses.misclassified(model.logits(x), y);
            if (shard.kind() == ShardPlan.Kind.CASCADE) {
                return cascade(shard, x, y, wrong, counted);
            }
            Attack attack = shards.attackOf(shard);
            if (shard.kind() == ShardPlan.Kind.UNBOUNDED) {
                long start = System.nanoTime();
                UnboundedRun.Result r = UnboundedRun.run(model, x, y, shards.plan().budgets(), seed(attack, shard));
                List<String> clipped = r.clipped().stream().map(b -> robust(wrong, b)).toList();
                return new ShardOutcome(shard.index(), robust(wrong, r.broken()), (System.nanoTime() - start) / 1e9,
                        null, clipped, null);
            }
            if (attacked != null) {
                Survivors.check(attacked, shard);
                return onSurvivors(shard, attack, x, y, wrong, attacked);
            }
            long start = System.nanoTime();
            boolean[] broken = attack.run(model, x, y, shard.eps(), seed(attack, shard));
            double seconds = (System.nanoTime() - start) / 1e9;
            return new ShardOutcome(shard.index(), robust(wrong, broken), seconds);
        }
    }

    private ShardOutcome onSurvivors(Shard shard, Attack attack, NDArray x, int[] y, boolean[] wrong, String attacked) {
        boolean[] broken = new boolean[y.length];
        int[] left = java.util.stream.IntStream.range(0, y.length)
                .filter(i -> attacked.charAt(i) == '1' && !wrong[i]).toArray();
        Arrays.fill(broken, true);
        double seconds = 0;
        if (left.length > 0) {
            long start = System.nanoTime();
            boolean[] now = attack.run(model, ActiveSet.rows(x, left), ActiveSet.rows(y, left), shard.eps(),
                    seed(attack, shard));
            seconds = (System.nanoTime() - start) / 1e9;
            for (int k = 0; k < left.length; k++) {
                broken[left[k]] = now[k];
            }
        }
        return new ShardOutcome(shard.index(), robust(wrong, broken), seconds);
    }

    /**
     * The norm's attacks in turn, each on the examples still robust (AutoAttack's cascade), each seeded as if it ran
     * alone on the shard; {@code robust} is the worst case after the last. Each stage's passes are its attack's, the
     * first stage's with the shard's clean pass (as an attack shard's are), so the stages sum to the shard's.
     */
    private ShardOutcome cascade(Shard shard, NDArray x, int[] y, boolean[] wrong, Passes counted) {
        int n = y.length;
        boolean[] broken = wrong.clone();
        List<ShardOutcome.Stage> stages = new ArrayList<>();
        double total = 0;
        Passes mark = counted;
        for (int a : shards.chain(shard.norm())) {
            Attack attack = shards.attacks().get(a);
            int[] left = java.util.stream.IntStream.range(0, n).filter(i -> !broken[i]).toArray();
            char[] robust = new char[n];
            for (int i = 0; i < n; i++) {
                robust[i] = wrong[i] ? 'x' : broken[i] ? '-' : '1';
            }
            double seconds = 0;
            if (left.length > 0) {
                long start = System.nanoTime();
                boolean[] now = attack.run(model, ActiveSet.rows(x, left), ActiveSet.rows(y, left), shard.eps(), seed(attack, shard));
                seconds = (System.nanoTime() - start) / 1e9;
                for (int k = 0; k < left.length; k++) {
                    if (now[k]) {
                        robust[left[k]] = '0';
                        broken[left[k]] = true;
                    }
                }
            }
            Passes now = meter.count();
            stages.add(new ShardOutcome.Stage(new String(robust), seconds, now.minus(mark)));
            mark = now;
            total += seconds;
        }
        return new ShardOutcome(shard.index(), robust(wrong, broken), total, stages, null, null);
    }

    /** Per example: x misclassified before any attack, 0 broken, 1 robust. */
    private static String robust(boolean[] wrong, boolean[] broken) {
        StringBuilder robust = new StringBuilder(wrong.length);
        for (int i = 0; i < wrong.length; i++) {
            robust.append(wrong[i] ? 'x' : broken[i] ? '0' : '1');
        }
        return robust.toString();
    }

    private long seed(Attack attack, Shard shard) {
        return attack.norm() == Norm.LINF
                ? Objects.hash(shards.plan().seed(), attack.name(), shard.eps(), shard.from())
                : Objects.hash(shards.plan().seed(), attack.name(), attack.norm().label(), shard.eps(), shard.from());
    }
}
