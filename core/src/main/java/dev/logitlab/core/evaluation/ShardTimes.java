package dev.logitlab.core.evaluation;

import dev.logitlab.events.EvaluationReport.Stage;
import dev.logitlab.events.ShardOutcome;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The attack phase's part of a report's timeline: each attack's compute summed over its shards and budgets (a
 * cascade's stages apart), then the ε sweep and the unbounded run that the masking checks need. Compute, not wall
 * time: shards of one attack run side by side on several replicas.
 */
public final class ShardTimes {

    private ShardTimes() {
    }

    public static List<Stage> compute(ShardPlan plan, Map<Integer, ShardOutcome> outcomes) {
        Map<String, Double> seconds = new LinkedHashMap<>();
        for (ShardPlan.Shard shard : plan.shards()) {
            ShardOutcome outcome = outcomes.get(shard.index());
            if (outcome == null) {
                continue;
            }
            switch (shard.kind()) {
                case ATTACK -> seconds.merge("attack " + shard.attackName(), outcome.seconds(), Double::sum);
                case CASCADE -> {
                    List<Integer> chain = plan.chain(shard.norm());
                    for (int k = 0; k < chain.size() && outcome.cascade() != null && k < outcome.cascade().size(); k++) {
                        seconds.merge("attack " + plan.attacks().get(chain.get(k)).name(),
                                outcome.cascade().get(k).seconds(), Double::sum);
                    }
                }
                case SWEEP -> seconds.merge("ε sweep (PGD-20, masking checks)", outcome.seconds(), Double::sum);
                case UNBOUNDED -> seconds.merge("unbounded run (PGD-margin at ε=1, masking checks)", outcome.seconds(),
                        Double::sum);
            }
        }
        List<Stage> stages = new ArrayList<>();
        seconds.forEach((name, s) -> stages.add(new Stage(name, s)));
        return stages;
    }

    /** Stages one after the other. */
    public static List<Stage> concat(List<Stage> first, List<Stage> second) {
        List<Stage> all = new ArrayList<>(first == null ? List.of() : first);
        all.addAll(second == null ? List.of() : second);
        return all;
    }
}
