package dev.logitlab.attack;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.core.model.Torch;
import dev.logitlab.events.AttackEvent;
import dev.logitlab.events.AttackTask;
import dev.logitlab.events.ShardOutcome;
import dev.logitlab.service.ServiceMetrics;
import dev.logitlab.service.EventProcessor;
import dev.logitlab.service.StreamRecords;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.jboss.logging.Logger;

/**
 * {@code logitlab.attack-tasks} → {@code logitlab.attack-results}: attacks one shard and publishes its outcome,
 * keyed by checkpointId. The outcome and the task's offset commit in one transaction, so a replica killed in the
 * middle of a shard leaves nothing behind and another replica re-runs that shard only. Each start is counted first
 * ({@link ShardAttempts}): a shard that already took {@code max-attempts} replicas down without a result fails with
 * that reason instead of running again.
 */
final class ShardRunner extends EventProcessor<AttackTask> {

    private static final Logger LOG = Logger.getLogger(ShardRunner.class);

    private final AttackWork work;
    private final ShardAttempts attempts;
    private final String haltOn;
    private ReadOnlyKeyValueStore<String, String> started;

    ShardRunner(AttackWork work, ShardAttempts attempts, String haltOn, ObjectMapper json, MeterRegistry metrics) {
        super(AttackTask.class, AttackTopology.DEAD_LETTERS, json, metrics);
        this.work = work;
        this.attempts = attempts;
        this.haltOn = haltOn;
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
        super.init(context);
        this.started = context.getStateStore(ShardAttempts.STORE);
    }

    @Override
    protected void process(Record<String, String> record, AttackTask task) {
        ShardAttempts.Started before = ShardAttempts.Started.read(started.get(task.taskId()));
        int previous = before.count();
        if (previous >= attempts.maxAttempts()) {
            String reason = String.format("shard %d (%s %s ε=%s, examples [%d, %d)) was started %d times and never "
                            + "ended: the replica running it died each time (a native crash, a kill, an OOM kill; last: %s)",
                    task.shard(), task.attack(), task.norm(), task.eps(), task.from(), task.to(), previous, before.last());
            LOG.errorf("%s: failing it rather than starting it again", reason);
            ServiceMetrics.ATTACK_FAILURES.counter(metrics).increment();
            publish(record, task, AttackEvent.failed(task, reason));
            attempts.ended(task.taskId()); // answered: its count need not outlive it
            return;
        }
        attempts.begin(task.taskId(), previous + 1);
        if (task.attack().equals(haltOn)) {
            LOG.errorf("fault injection: halting as shard %s starts", task.taskId());
            Runtime.getRuntime().halt(134);
        }
        AttackEvent result;
        try {
            long start = System.nanoTime();
            ShardOutcome outcome = work.run(task);
            ServiceMetrics.ATTACK_SHARD_DURATION.timer(metrics).record(Duration.ofNanos(System.nanoTime() - start));
            result = AttackEvent.completed(task, outcome);
        } catch (Torch.Stopped e) {
            throw e; // the replica is stopping: no result, so the shard runs again elsewhere
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            // An error the model causes (a native allocation, a deep graph, a time limit) fails the shard, not the
            // replica: rethrown, it would be replayed by exactly-once on every replica in turn.
            LOG.warnf(e, "shard %s failed", task.taskId());
            ServiceMetrics.ATTACK_FAILURES.counter(metrics).increment();
            result = AttackEvent.failed(task, StreamRecords.reason(e));
        }
        attempts.ended(task.taskId());
        publish(record, task, result);
    }

    private void publish(Record<String, String> record, AttackTask task, AttackEvent result) {
        String checkpointId = task.checkpoint().checkpointId();
        context.forward(StreamRecords.event(json, checkpointId, result, AttackTopology.SERVICE, result.type(),
                checkpointId, task.taskId(), record.timestamp()), AttackTopology.RESULTS);
        ServiceMetrics.SHARDS_PROCESSED.counter(metrics).increment();
        // One transaction per shard: it opens with the forward above, after the slow part, and closes now.
        context.commit();
    }
}
