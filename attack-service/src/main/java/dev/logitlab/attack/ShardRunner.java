package dev.logitlab.attack;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.events.AttackEvent;
import dev.logitlab.events.AttackTask;
import dev.logitlab.events.ShardOutcome;
import dev.logitlab.service.ServiceMetrics;
import dev.logitlab.service.EventProcessor;
import dev.logitlab.service.StreamRecords;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.apache.kafka.streams.processor.api.Record;
import org.jboss.logging.Logger;

/**
 * {@code logitlab.attack-tasks} → {@code logitlab.attack-results}: attacks one shard and publishes its outcome,
 * keyed by checkpointId. The outcome and the task's offset commit in one transaction, so a replica killed in the
 * middle of a shard leaves nothing behind and another replica re-runs that shard only.
 */
final class ShardRunner extends EventProcessor<AttackTask> {

    private static final Logger LOG = Logger.getLogger(ShardRunner.class);

    private final AttackWork work;

    ShardRunner(AttackWork work, ObjectMapper json, MeterRegistry metrics) {
        super(AttackTask.class, AttackTopology.DEAD_LETTERS, json, metrics);
        this.work = work;
    }

    @Override
    protected void process(Record<String, String> record, AttackTask task) {
        AttackEvent result;
        try {
            long start = System.nanoTime();
            ShardOutcome outcome = work.run(task);
            ServiceMetrics.ATTACK_SHARD_DURATION.timer(metrics).record(Duration.ofNanos(System.nanoTime() - start));
            result = AttackEvent.completed(task, outcome);
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            // An error the model causes (a native allocation, a deep graph, a time limit) fails the shard, not the
            // replica: rethrown, it would be replayed by exactly-once on every replica in turn.
            LOG.warnf(e, "shard %s failed", task.taskId());
            ServiceMetrics.ATTACK_FAILURES.counter(metrics).increment();
            result = AttackEvent.failed(task, StreamRecords.reason(e));
        }
        String checkpointId = task.checkpoint().checkpointId();
        context.forward(StreamRecords.event(json, checkpointId, result, AttackTopology.SERVICE, result.type(),
                checkpointId, task.taskId(), record.timestamp()), AttackTopology.RESULTS);
        ServiceMetrics.SHARDS_PROCESSED.counter(metrics).increment();
        // One transaction per shard: it opens with the forward above, after the slow part, and closes now.
        context.commit();
    }
}
