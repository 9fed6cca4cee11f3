package dev.logitlab.attack;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.core.attack.Budget;
import dev.logitlab.core.evaluation.ShardPlan;
import dev.logitlab.core.evaluation.Survivors;
import dev.logitlab.events.AttackEvent;
import dev.logitlab.events.AttackTask;
import dev.logitlab.events.ShardOutcome;
import dev.logitlab.events.Topics;
import dev.logitlab.service.EventProcessor;
import dev.logitlab.service.StreamRecords;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

/**
 * {@code logitlab.attack-results} → {@code logitlab.survivor-tasks}: holds the outcomes of the shards of each budget
 * whose later waves wait for them ({@link ShardPlan#wave}: targeted gradient attacks after untargeted ones,
 * gradient-free ones after both), and once the last shard of the waves before one is in, queues that wave's shards
 * with the examples every earlier attack left robust ({@link Survivors}). The outcomes live in a changelogged store keyed by checkpoint and
 * plan, on the checkpoint's partition, and the tasks, the store's changes and the input offset commit together; a
 * {@code released} marker per budget and wave drops a repeated outcome. A failed shard releases nothing: the analysis turns it
 * into the report's failure.
 */
final class SurvivorPlanner extends EventProcessor<AttackEvent> {

    static final String HELD = "gradient-outcomes";
    private static final Logger LOG = Logger.getLogger(SurvivorPlanner.class);

    private final AttackWork work;
    private KeyValueStore<String, String> held;

    SurvivorPlanner(AttackWork work, ObjectMapper json, MeterRegistry metrics) {
        super(AttackEvent.class, AttackTopology.DEAD_LETTERS, json, metrics);
        this.work = work;
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
        super.init(context);
        this.held = context.getStateStore(HELD);
        dev.logitlab.service.MarkerRetention.schedule(context, held);
    }

    @Override
    protected void process(Record<String, String> record, AttackEvent event) {
        if (!event.kind().equals("completed") || event.outcome() == null) {
            return;
        }
        ShardPlan plan;
        try {
            boolean previous = !AttackConfig.hash(event.checkpoint()).equals(event.attackConfigHash());
            if (previous && !AttackConfig.previousHash(event.checkpoint()).equals(event.attackConfigHash())) {
                return; // planned under a rule this planner does not know: not its to release
            }
            // in flight across an upgrade: its targeted shards were queued with the first wave, as that rule did
            plan = previous ? work.shards(event.checkpoint()).previousRule() : work.shards(event.checkpoint());
        } catch (RuntimeException e) {
            LOG.debugf("result of %s: no plan to release later waves from: %s", event.checkpointId(),
                    StreamRecords.reason(e));
            return;
        }
        if (event.shard() < 0 || event.shard() >= plan.shards().size() || plan.shards().size() != event.shards()) {
            return;
        }
        ShardPlan.Shard shard = plan.shard(event.shard());
        if (shard.kind() != ShardPlan.Kind.ATTACK) {
            return; // the sweep and the unbounded run release nothing, and nothing waits for them
        }
        Budget budget = shard.budget();
        List<ShardPlan.Shard> atBudget = plan.shards().stream()
                .filter(s -> s.kind() == ShardPlan.Kind.ATTACK && s.budget().equals(budget)).toList();
        // the next wave after this shard's that has shards: it waits for every shard of the waves before it
        int next = atBudget.stream().mapToInt(plan::wave).filter(w -> w > plan.wave(shard)).min().orElse(-1);
        if (next < 0) {
            return;
        }
        String evaluation = event.checkpointId() + "#" + event.attackConfigHash() + "/";
        String released = evaluation + budget + "/released/" + next;
        if (held.get(released) != null) {
            return;
        }
        held.put(evaluation + shard.index(), event.outcome().robust());
        List<ShardPlan.Shard> waiting = atBudget.stream().filter(s -> plan.wave(s) == next).toList();
        Map<Integer, ShardOutcome> outcomes = new HashMap<>();
        for (ShardPlan.Shard s : plan.earlier(waiting.get(0))) {
            String robust = held.get(evaluation + s.index());
            if (robust == null) {
                return;
            }
            outcomes.put(s.index(), new ShardOutcome(s.index(), robust, 0));
        }
        for (ShardPlan.Shard s : waiting) {
            AttackTask task = AttackWork.task(event.checkpoint(), event.attackConfigHash(), plan, s,
                    Survivors.of(plan, s, outcomes));
            context.forward(StreamRecords.event(json, task.taskId(), task, AttackTopology.SERVICE, Topics.ATTACK_TASK,
                    event.checkpointId(), task.taskId(), record.timestamp()), AttackTopology.SURVIVOR_TASKS);
        }
        if (atBudget.stream().noneMatch(s -> plan.wave(s) > next)) {
            outcomes.keySet().forEach(i -> held.delete(evaluation + i)); // no later wave needs them
        }
        int survivors = Survivors.count(plan, waiting.get(0), outcomes);
        held.put(released, dev.logitlab.service.MarkerRetention.stamp(Integer.toString(survivors), context.currentSystemTimeMs()));
        LOG.infof("checkpoint %s, %s: %d shards of wave %d queued on the %d examples the earlier attacks left",
                event.checkpointId(), budget, waiting.size(), next, survivors);
    }
}
