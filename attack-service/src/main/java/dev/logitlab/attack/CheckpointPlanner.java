package dev.logitlab.attack;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.events.AttackEvent;
import dev.logitlab.events.AttackTask;
import dev.logitlab.events.CheckpointCreated;
import dev.logitlab.events.Topics;
import dev.logitlab.service.ServiceMetrics;
import dev.logitlab.service.EventProcessor;
import dev.logitlab.service.StreamRecords;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

/**
 * {@code logitlab.checkpoints} → {@code logitlab.attack-tasks}: verifies each announced checkpoint and splits its
 * evaluation into shards. An announcement that cannot be the checkpoint it names (its id, key or folder not its run's,
 * or bytes other than the first announcement's) goes to the dead-letter topic, never to a report. An announcement seen before (same checkpoint, same plan: a trainer that re-announced
 * after a restart) is dropped, remembered in a changelogged store; a checkpoint that does not verify becomes
 * {@code attack.failed}; a record that is not a checkpoint event goes to the dead-letter topic.
 */
final class CheckpointPlanner extends EventProcessor<CheckpointCreated> {

    static final String PLANNED = "planned-checkpoints";
    /** Prefix of the entry holding the SHA-256 a checkpoint was first announced with: part of its identity. */
    static final String BYTES = "sha256/";
    private static final Logger LOG = Logger.getLogger(CheckpointPlanner.class);

    private final AttackWork work;
    private KeyValueStore<String, String> planned;

    CheckpointPlanner(AttackWork work, ObjectMapper json, MeterRegistry metrics) {
        super(CheckpointCreated.class, AttackTopology.DEAD_LETTERS, json, metrics);
        this.work = work;
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
        super.init(context);
        this.planned = context.getStateStore(PLANNED);
        dev.logitlab.service.MarkerRetention.schedule(context, planned); // the sha256/ entries are not markers: kept
    }

    @Override
    protected void process(Record<String, String> record, CheckpointCreated event) {
        String problem = event.identityProblem()
                .or(() -> event.runId().equals(record.key()) ? java.util.Optional.empty()
                        : java.util.Optional.of("the record's key must be its runId"))
                .or(() -> otherBytes(event))
                .orElse(null);
        if (problem != null) {
            // never a report.failed: that would be keyed by, and replace, the report of the checkpoint it names
            LOG.warnf("announcement of %s dead-lettered: %s", event.checkpointId(), problem);
            context.forward(StreamRecords.deadLetter(record, context, new IllegalArgumentException(problem)),
                    AttackTopology.DEAD_LETTERS);
            context.commit();
            return;
        }
        String hash = AttackConfig.hash(event);
        String key = event.checkpointId() + "#" + hash;
        if (planned.get(key) != null) {
            LOG.infof("checkpoint %s already planned with plan %s: dropping the repeated announcement",
                    event.checkpointId(), hash.substring(0, 12));
            ServiceMetrics.CHECKPOINTS_DUPLICATES.counter(metrics).increment();
            return;
        }
        List<AttackTask> tasks;
        try {
            tasks = work.plan(event, hash);
        } catch (dev.logitlab.core.model.Torch.Stopped e) {
            throw e; // the replica is stopping: the checkpoint is planned after the restart
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            LOG.warnf("checkpoint %s refused: %s", event.checkpointId(), StreamRecords.reason(e));
            ServiceMetrics.ATTACK_FAILURES.counter(metrics).increment();
            AttackEvent refused = AttackEvent.refused(event, hash, StreamRecords.reason(e));
            context.forward(StreamRecords.event(json, event.checkpointId(), refused, AttackTopology.SERVICE,
                    refused.type(), event.checkpointId(), key, record.timestamp()), AttackTopology.RESULTS);
            planned.put(key, dev.logitlab.service.MarkerRetention.stamp("refused", context.currentSystemTimeMs()));
            context.commit();
            return;
        }
        for (AttackTask task : tasks) {
            context.forward(StreamRecords.event(json, task.taskId(), task, AttackTopology.SERVICE, Topics.ATTACK_TASK,
                    event.checkpointId(), task.taskId(), record.timestamp()), AttackTopology.TASKS);
        }
        planned.put(key, dev.logitlab.service.MarkerRetention.stamp(Integer.toString(tasks.size()), context.currentSystemTimeMs()));
        planned.putIfAbsent(BYTES + event.checkpointId(), event.sha256()); // verified: these bytes are the checkpoint
        ServiceMetrics.CHECKPOINTS_PROCESSED.counter(metrics).increment();
        LOG.infof("checkpoint %s: %d shards queued", event.checkpointId(), tasks.size());
        context.commit();
    }

    /**
     * A checkpoint is its bytes: announced again with others (the file replaced under the same id), it is refused, so
     * that its report is never replaced by another model's. The store's records of a run sit on the partition of the
     * run's key, which is why the key must be the runId.
     */
    private java.util.Optional<String> otherBytes(CheckpointCreated event) {
        String first = planned.get(BYTES + event.checkpointId());
        return first == null || first.equals(event.sha256()) ? java.util.Optional.empty()
                : java.util.Optional.of("checkpoint " + event.checkpointId() + " was announced before with other bytes; "
                + "a checkpoint's identity includes its SHA-256: announce new bytes as a new step");
    }
}
