package dev.logitlab.core.evaluation;

import dev.logitlab.events.EvaluationReport;
import dev.logitlab.events.EvaluationReport.Stage;
import dev.logitlab.events.Passes;
import dev.logitlab.events.ShardOutcome;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The attack phase's part of a report's timeline: each attack's compute and passes summed over its shards and budgets
 * (a cascade's stages apart, its first with the shard's clean pass), then the ε sweep and the unbounded run that
 * the masking checks need. Compute, not wall
 * time: shards of one attack run side by side on several replicas.
 */
public final class ShardTimes {

    /** How an attack's stage in the timeline is named: this, then the attack's name. */
    static final String ATTACK = "attack ";

    private ShardTimes() {
    }

    public static List<Stage> compute(ShardPlan plan, Map<Integer, ShardOutcome> outcomes) {
        Map<String, Double> seconds = new LinkedHashMap<>();
        Map<String, List<Passes>> passes = new LinkedHashMap<>();
        for (ShardPlan.Shard shard : plan.shards()) {
            ShardOutcome outcome = outcomes.get(shard.index());
            if (outcome == null) {
                continue;
            }
            BiConsumer<String, ShardOutcome.Stage> add = (name, part) -> {
                seconds.merge(name, part.seconds(), Double::sum);
                passes.computeIfAbsent(name, n -> new ArrayList<>()).add(part.passes());
            };
            ShardOutcome.Stage whole = new ShardOutcome.Stage(outcome.robust(), outcome.seconds(), outcome.passes());
            switch (shard.kind()) {
                case ATTACK -> add.accept(ATTACK + shard.attackName(), whole);
                case CASCADE -> {
                    List<Integer> chain = plan.chain(shard.norm());
                    for (int k = 0; k < chain.size() && outcome.cascade() != null && k < outcome.cascade().size(); k++) {
                        add.accept(ATTACK + plan.attacks().get(chain.get(k)).name(), outcome.cascade().get(k));
                    }
                }
                case SWEEP -> add.accept("ε sweep (PGD-20, masking checks)", whole);
                case UNBOUNDED -> add.accept("unbounded run (PGD-margin at ε=1, masking checks)", whole);
            }
        }
        List<Stage> stages = new ArrayList<>();
        seconds.forEach((name, s) -> stages.add(new Stage(name, s, Passes.sum(passes.get(name)))));
        return stages;
    }

    /**
     * What a report's attacks spent, with the escalated Square when the analysis ran it (its worst case counts what
     * that found): the suite's cost, the masking checks' own runs apart; null when a stage did not count its passes.
     */
    public static Passes suitePasses(EvaluationReport report) {
        return Passes.sum(report.timeline().stream().filter(s -> s.name().startsWith(ATTACK)
                || s.name().equals(AnalysisPhase.TIMELINE_PREFIX + AnalysisPhase.ESCALATION)).map(Stage::passes)
                .toList());
    }

    /** Stages one after the other. */
    public static List<Stage> concat(List<Stage> first, List<Stage> second) {
        List<Stage> all = new ArrayList<>(first == null ? List.of() : first);
        all.addAll(second == null ? List.of() : second);
        return all;
    }
}
