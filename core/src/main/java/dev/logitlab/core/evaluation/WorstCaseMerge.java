package dev.logitlab.core.evaluation;

import dev.logitlab.core.attack.Attack;
import dev.logitlab.core.attack.Budget;
import dev.logitlab.core.attack.Norm;
import dev.logitlab.core.evaluation.ShardPlan.Kind;
import dev.logitlab.core.evaluation.ShardPlan.Shard;
import dev.logitlab.events.AttackResults;
import dev.logitlab.events.EvaluationReport.AttackRun;
import dev.logitlab.events.EvaluationReport.RobustAt;
import dev.logitlab.events.EvaluationReport.WorstCase;
import dev.logitlab.core.verdict.ClopperPearson;
import dev.logitlab.events.Passes;
import dev.logitlab.events.ShardOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Puts the outcomes of every shard of a {@link ShardPlan} back together: each attack's per-example outcomes at
 * each budget, and the worst case per example (robust only if no attack at that norm and ε or a smaller one broke it,
 * and no point of the ε sweep within the budget or of the unconstrained run clipped into it did: {@link VerifiedBreaks};
 * never the minimum of per-attack means). The same outcomes give the same results, in whatever order and on whichever replicas the
 * shards ran. In a cascade plan each attack's outcomes are cumulative: broken by it or by an attack before it; so are
 * a gradient-free attack's when it ran after the gradient attacks ({@link Survivors}).
 */
public final class WorstCaseMerge {

    private WorstCaseMerge() {
    }

    public static AttackResults merge(ShardPlan plan, String model, String dataset, Map<Integer, ShardOutcome> outcomes) {
        for (Shard shard : plan.shards()) {
            ShardOutcome outcome = outcomes.get(shard.index());
            if (outcome == null) {
                throw new IllegalArgumentException("shard " + shard.index() + " of " + plan.shards().size() + " is missing");
            }
            if (outcome.robust().length() != shard.to() - shard.from()) {
                throw new IllegalArgumentException("shard " + shard.index() + " covers " + outcome.robust().length()
                        + " examples, the plan " + (shard.to() - shard.from()));
            }
            if (outcome.clipped() != null && (shard.kind() != Kind.UNBOUNDED
                    || outcome.clipped().size() != plan.plan().budgets().size()
                    || outcome.clipped().stream().anyMatch(c -> c.length() != shard.to() - shard.from()))) {
                throw new IllegalArgumentException("shard " + shard.index() + " has clipped outcomes of "
                        + outcome.clipped().size() + " budgets, not the plan's " + plan.plan().budgets().size() + " of "
                        + (shard.to() - shard.from()) + " examples");
            }
            int stages = shard.kind() == Kind.CASCADE ? plan.chain(shard.norm()).size() : 0;
            if ((outcome.cascade() == null ? 0 : outcome.cascade().size()) != stages) {
                throw new IllegalArgumentException("shard " + shard.index() + " has " + (outcome.cascade() == null ? 0
                        : outcome.cascade().size()) + " cascade stages, the plan " + stages);
            }
        }
        int n = plan.examples();
        // Every example is in the unbounded run: 'x' there is misclassified before any attack.
        String unboundedRun = join(plan, outcomes, s -> s.kind() == Kind.UNBOUNDED).robust;
        List<AttackRun> runs = new ArrayList<>();
        List<WorstCase> worstCase = new ArrayList<>();
        for (Budget budget : plan.plan().budgets()) {
            boolean[] robust = new boolean[n];
            java.util.Arrays.fill(robust, true);
            for (int a = 0; a < plan.attacks().size(); a++) {
                Attack spec = plan.attacks().get(a);
                if (spec.norm() != budget.norm()) {
                    continue;
                }
                int attack = a;
                double eps = budget.eps();
                Joined joined = plan.cascade()
                        ? joinStage(plan, outcomes, budget, plan.chain(budget.norm()).indexOf(a))
                        : join(plan, outcomes, s -> s.kind() == Kind.ATTACK && s.attack() == attack && s.eps() == eps);
                runs.add(new AttackRun(spec.name(), budget.norm().label(), eps, accuracy(joined.robust),
                        joined.seconds, params(plan, outcomes, spec, a, budget), joined.robust,
                        ClopperPearson.of(joined.robust).toList(), joined.passes));
                for (int i = 0; i < n; i++) {
                    robust[i] &= joined.robust.charAt(i) == '1';
                }
            }
            StringBuilder worst = new StringBuilder(n);
            for (int i = 0; i < n; i++) {
                worst.append(robust[i] ? '1' : unboundedRun.charAt(i) == 'x' ? 'x' : '0');
            }
            String outcome = worst.toString();
            int broken = (int) outcome.chars().filter(c -> c == '0').count();
            worstCase.add(new WorstCase(budget.norm().label(), budget.eps(), accuracy(outcome), outcome,
                    ClopperPearson.of(outcome).toList(), broken > 0 ? Map.of(VerifiedBreaks.ATTACKS, broken) : Map.of()));
        }
        // What the attacks broke at a budget stays broken at every larger one, and so does what the sweep broke.
        List<VerifiedBreaks.Found> found = new ArrayList<>();
        for (WorstCase w : worstCase) {
            found.add(VerifiedBreaks.at(VerifiedBreaks.SMALLER_EPS, w.norm(), w.eps(), w.robust()));
        }
        for (double eps : plan.sweepEps()) {
            if (plan.pgdRunAt(eps) < 0) {
                found.add(VerifiedBreaks.at(VerifiedBreaks.SWEEP, Norm.LINF.label(), eps,
                        join(plan, outcomes, s -> s.kind() == Kind.SWEEP && s.eps() == eps).robust));
            }
        }
        List<Budget> budgets = plan.plan().budgets();
        for (int b = 0; b < budgets.size(); b++) {
            int budget = b;
            String clipped = joinClipped(plan, outcomes, budget);
            if (clipped != null) {
                found.add(VerifiedBreaks.at(VerifiedBreaks.UNBOUNDED_CLIPPED, budgets.get(b).norm().label(),
                        budgets.get(b).eps(), clipped));
            }
        }
        worstCase = VerifiedBreaks.enter(worstCase, found);
        List<RobustAt> sweep = new ArrayList<>();
        for (double eps : plan.sweepEps()) {
            int pgd = plan.pgdRunAt(eps);
            sweep.add(new RobustAt(eps, pgd >= 0
                    ? accuracy(join(plan, outcomes, s -> s.kind() == Kind.ATTACK && s.attack() == pgd && s.eps() == eps).robust)
                    : accuracy(join(plan, outcomes, s -> s.kind() == Kind.SWEEP && s.eps() == eps).robust)));
        }
        RobustAt unbounded = new RobustAt(ShardPlan.UNBOUNDED_EPS, accuracy(unboundedRun));
        String clean = unboundedRun.replaceAll("[01]", "1");
        return new AttackResults(model, dataset, n, plan.plan().seed(), clean, runs, worstCase, sweep, unbounded);
    }

    /** The attack's parameters; a gradient-free run after the gradient attacks says on how many examples it ran. */
    private static Map<String, Object> params(ShardPlan plan, Map<Integer, ShardOutcome> outcomes, Attack spec,
                                              int attack, Budget budget) {
        Map<String, Object> params = new java.util.LinkedHashMap<>(spec.params(budget.eps()));
        Shard later = plan.cascade() ? null : plan.shards().stream().filter(s -> s.kind() == Kind.ATTACK
                && s.attack() == attack && s.budget().equals(budget) && plan.survivorsOnly(s)).findFirst().orElse(null);
        if (later != null) {
            params.put("attacked", Survivors.count(plan, later, outcomes));
            params.put("after", (plan.wave(later) == 1 ? "the untargeted gradient attacks" : "the gradient attacks")
                    + ": it attacked only the examples they all left robust, the others count as broken, so its "
                    + "accuracy is the suite's after it");
        }
        return params;
    }

    /** {@code passes}: null when a shard did not count them (an outcome written before they were). */
    private record Joined(String robust, double seconds, Passes passes) {
    }

    /** The outcome strings of the shards a predicate picks, in example order, and their total time and passes. */
    private static Joined join(ShardPlan plan, Map<Integer, ShardOutcome> outcomes, Predicate<Shard> which) {
        StringBuilder robust = new StringBuilder(plan.examples());
        double seconds = 0;
        List<Passes> passes = new ArrayList<>();
        for (Shard shard : plan.shards()) {
            if (which.test(shard)) {
                ShardOutcome outcome = outcomes.get(shard.index());
                robust.append(outcome.robust());
                seconds += outcome.seconds();
                passes.add(outcome.passes());
            }
        }
        return new Joined(robust.toString(), seconds, Passes.sum(passes));
    }

    /**
     * The unconstrained run's points clipped into one budget, in example order; null if a shard did not say (an
     * outcome written before it did; a wrong size was refused above).
     */
    private static String joinClipped(ShardPlan plan, Map<Integer, ShardOutcome> outcomes, int budget) {
        StringBuilder robust = new StringBuilder(plan.examples());
        for (Shard shard : plan.shards()) {
            if (shard.kind() == Kind.UNBOUNDED) {
                List<String> clipped = outcomes.get(shard.index()).clipped();
                if (clipped == null) {
                    return null;
                }
                robust.append(clipped.get(budget));
            }
        }
        return robust.toString();
    }

    /**
     * One stage of a budget's cascade shards, in example order; an example an earlier stage broke counts as broken,
     * so the stage's accuracy is the suite's after that attack, as AutoAttack prints it.
     */
    private static Joined joinStage(ShardPlan plan, Map<Integer, ShardOutcome> outcomes, Budget budget, int stage) {
        StringBuilder robust = new StringBuilder(plan.examples());
        double seconds = 0;
        List<Passes> passes = new ArrayList<>();
        for (Shard shard : plan.shards()) {
            if (shard.kind() == Kind.CASCADE && shard.norm() == budget.norm() && shard.eps() == budget.eps()) {
                ShardOutcome.Stage outcome = outcomes.get(shard.index()).cascade().get(stage);
                robust.append(outcome.robust().replace('-', '0'));
                seconds += outcome.seconds();
                passes.add(outcome.passes());
            }
        }
        return new Joined(robust.toString(), seconds, Passes.sum(passes));
    }

    private static double accuracy(String robust) {
        return robust.chars().filter(c -> c == '1').count() / (double) robust.length();
    }
}
