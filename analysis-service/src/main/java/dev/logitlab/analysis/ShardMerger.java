package dev.logitlab.analysis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.core.evaluation.ModelMeasurements;
import dev.logitlab.events.AttackEvent;
import dev.logitlab.events.ReportFailed;
import dev.logitlab.events.ReportProgress;
import dev.logitlab.events.ReportPublished;
import dev.logitlab.events.ShardOutcome;
import dev.logitlab.events.RunSpec;
import dev.logitlab.events.Topics;
import dev.logitlab.events.Verdict;
import dev.logitlab.core.verdict.BestCheckpoint.Judged;
import dev.logitlab.core.verdict.RunVerdicts;
import java.util.List;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import dev.logitlab.service.ServiceMetrics;
import dev.logitlab.service.EventProcessor;
import dev.logitlab.service.StreamRecords;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

/**
 * {@code logitlab.attack-results} → {@code logitlab.reports}: collects the shard outcomes of each evaluation in a
 * changelogged store (keyed {@code <checkpointId>#<plan hash>/<shard>}, on the partition of the checkpointId, so
 * whichever replica owns the partition after a rebalance or a restart has them), and publishes the report once,
 * when the last shard arrives: the report, the store's changes and the input offset commit in one transaction.
 * Until then each shard that arrives publishes the evaluation's progress under the same key, which the report
 * replaces.
 * The first shard to arrive also has the model measured alone ({@link #measure}), kept beside the shards.
 * A finished evaluation leaves a {@code /done} marker, so a late duplicate is dropped; a failed shard or a refused
 * checkpoint becomes {@code report.failed}. With each report goes its verdict ({@code logitlab.verdicts}), in the
 * same transaction.
 */
final class ShardMerger extends EventProcessor<AttackEvent> {

    static final String EVALUATIONS = "evaluations";
    private static final Logger LOG = Logger.getLogger(ShardMerger.class);
    private static final String DONE = "done";
    private static final String MEASURED = "measured";

    private final ReportWork work;
    private KeyValueStore<String, String> evaluations;

    ShardMerger(ReportWork work, ObjectMapper json, MeterRegistry metrics) {
        super(AttackEvent.class, ReportTopology.DEAD_LETTERS, json, metrics);
        this.work = work;
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
        super.init(context);
        this.evaluations = context.getStateStore(EVALUATIONS);
        dev.logitlab.service.MarkerRetention.schedule(context, evaluations);
    }

    @Override
    protected void process(Record<String, String> record, AttackEvent event) {
        String evaluation = event.checkpointId() + "#" + event.attackConfigHash() + "/";
        if (evaluations.get(evaluation + DONE) != null) {
            ServiceMetrics.SHARDS_DUPLICATES.counter(metrics).increment();
            return;
        }
        if (event.kind().equals("failed")) {
            String where = event.shard() < 0 ? "the attack service refused the checkpoint: "
                    : "shard " + event.shard() + " of " + event.shards() + " failed: ";
            finish(evaluation, record, failed(event, where + event.reason(), record.timestamp()));
            return;
        }
        String shardKey = evaluation + String.format("%06d", event.shard());
        int held = stored(evaluation) + (evaluations.get(shardKey) == null ? 1 : 0);
        if (held < event.shards()) {
            // made before anything is written, so that this record's transaction stays short; once (a redelivered
            // first shard finds them)
            String measured = held == 1 && evaluations.get(measuredKey(evaluation)) == null ? measure(event) : null;
            evaluations.put(shardKey, write(event.outcome()));
            if (measured != null) {
                evaluations.put(measuredKey(evaluation), measured);
            }
            if (evaluations.get(reportedKey(event.checkpointId())) == null) {
                // progress goes under the report's key on a compacted topic: never over a report that stands
                context.forward(StreamRecords.event(json, event.checkpointId(),
                        ReportProgress.of(event.checkpoint(), held, event.shards()), ReportTopology.SERVICE,
                        Topics.REPORT_PROGRESS, event.checkpointId(), evaluation + held, record.timestamp()),
                        ReportTopology.REPORTS);
            }
            context.commit();
            return;
        }
        Map<Integer, ShardOutcome> outcomes = collected(evaluation);
        outcomes.put(event.shard(), event.outcome());
        Record<String, String> out;
        try {
            ReportPublished report = work.report(event.checkpoint(), outcomes, measured(evaluation),
                    record.timestamp());
            out = StreamRecords.event(json, event.checkpointId(), report, ReportTopology.SERVICE,
                    Topics.REPORT_PUBLISHED, event.checkpointId(), evaluation, record.timestamp());
            LOG.infof("report of %s published (%d shards)", event.checkpointId(), event.shards());
            publishVerdict(report, event.checkpoint(), evaluation, record.timestamp());
        } catch (dev.logitlab.core.model.Torch.Stopped e) {
            throw e; // the replica is stopping: the report is made after the restart, from the same stored shards
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            // rethrown, the record would be replayed by exactly-once, and fail again, forever
            LOG.warnf(e, "checkpoint %s cannot be analysed", event.checkpointId());
            out = failed(event, "analysis failed: " + StreamRecords.reason(e), record.timestamp());
        }
        finish(evaluation, record, out);
    }

    /** The verdict goes with the report, in its transaction; a verdict that cannot be made never costs the report. */
    private void publishVerdict(ReportPublished report, dev.logitlab.events.CheckpointCreated checkpoint,
                                String evaluation, long timestamp) {
        Verdict verdict;
        try {
            verdict = verdict(report, checkpoint);
        } catch (RuntimeException e) {
            LOG.warnf(e, "no verdict for %s", report.checkpointId());
            return;
        }
        context.forward(StreamRecords.event(json, report.checkpointId(), verdict, ReportTopology.SERVICE,
                Topics.VERDICT, report.checkpointId(), evaluation, timestamp), ReportTopology.VERDICTS);
        ServiceMetrics.VERDICTS.counter(metrics, "kind", verdict.kind()).increment();
        LOG.infof("verdict on %s: %s (%s)", report.checkpointId(), verdict.kind(), verdict.reason());
    }

    /**
     * The report's verdict for its run: against the baseline the run names (a checkpoint id, or the best so far) and
     * the run's other reports, read from this replica's copy of logitlab.reports.
     */
    private Verdict verdict(ReportPublished report, dev.logitlab.events.CheckpointCreated checkpoint) {
        ReadOnlyKeyValueStore<String, String> published = context.getStateStore(ReportTopology.PUBLISHED);
        Judged current = new Judged(report.runId(), report.checkpointId(), report.epoch(), report.defense(),
                report.report());
        List<Judged> others = RunReports.ofRun(published, json, report.runId()).stream()
                .filter(j -> !j.checkpointId().equals(report.checkpointId())).toList();
        String baseline = checkpoint.evaluation().baseline();
        Optional<Judged> named = baseline == null || baseline.equals(RunSpec.Evaluation.BEST) ? Optional.empty()
                : RunReports.one(published, json, baseline);
        return RunVerdicts.judge(current, others, checkpoint.evaluation(), named);
    }

    /** Publishes the evaluation's one outcome and forgets its shards, in the transaction of this record. */
    private void finish(String evaluation, Record<String, String> input, Record<String, String> out) {
        String checkpointId = out.key();
        if (isFailure(out) && evaluations.get(reportedKey(checkpointId)) != null) {
            // the checkpoint has a report: a later evaluation's failure (or a forged one) must not take its place
            LOG.warnf("%s keeps its report; this evaluation's failure goes to the dead-letter topic", checkpointId);
            context.forward(StreamRecords.deadLetter(input, context, new IllegalStateException(checkpointId
                    + " has a report, which a failure never replaces: " + reasonOf(out))), ReportTopology.DEAD_LETTERS);
        } else {
            context.forward(out, ReportTopology.REPORTS);
            if (!isFailure(out)) {
                evaluations.put(reportedKey(checkpointId), Long.toString(context.currentSystemTimeMs()));
            }
        }
        try (KeyValueIterator<String, String> shards = evaluations.prefixScan(evaluation, new StringSerializer())) {
            shards.forEachRemaining(kv -> evaluations.delete(kv.key));
        }
        evaluations.delete(measuredKey(evaluation));
        evaluations.put(evaluation + DONE, dev.logitlab.service.MarkerRetention.stamp(DONE, context.currentSystemTimeMs()));
        context.commit();
    }

    private static boolean isFailure(Record<String, String> out) {
        var type = out.headers().lastHeader("ce_type");
        return type != null && Topics.REPORT_FAILED.equals(new String(type.value(), java.nio.charset.StandardCharsets.UTF_8));
    }

    private String reasonOf(Record<String, String> failure) {
        try {
            return json.readTree(failure.value()).path("reason").asText();
        } catch (JsonProcessingException e) {
            return "";
        }
    }

    private Record<String, String> failed(AttackEvent event, String reason, long timestamp) {
        ServiceMetrics.ANALYSIS_FAILURES.counter(metrics).increment();
        LOG.warnf("no report for %s: %s", event.checkpointId(), reason);
        return StreamRecords.event(json, event.checkpointId(), ReportFailed.of(event.checkpoint(), reason),
                ReportTopology.SERVICE, Topics.REPORT_FAILED, event.checkpointId(),
                event.checkpointId() + "#" + event.attackConfigHash(), timestamp);
    }

    /**
     * The measurements on the model alone, made when an evaluation's first shard arrives, while the others are still
     * being attacked, so that its report waits only for the analysis that needs the attacks' outcomes; as JSON, or
     * null when they cannot be made now (the report then makes them, and says why it cannot if it cannot either).
     */
    private String measure(AttackEvent event) {
        try {
            return json.writeValueAsString(work.measure(event.checkpoint()));
        } catch (dev.logitlab.core.model.Torch.Stopped e) {
            throw e;
        } catch (JsonProcessingException | RuntimeException | OutOfMemoryError | StackOverflowError e) {
            LOG.infof("no early measurements for %s (the report makes them): %s", event.checkpointId(),
                    StreamRecords.reason(e));
            return null;
        }
    }

    /** The early measurements the store holds for the evaluation, or null (none, or unreadable: made again). */
    private ModelMeasurements measured(String evaluation) {
        String value = evaluations.get(measuredKey(evaluation));
        try {
            return value == null ? null : json.readValue(value, ModelMeasurements.class);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /**
     * That a checkpoint has a published report, on its partition (results are keyed by checkpointId) and in this
     * record's transaction: what keeps a later evaluation's progress or failure from taking the report's place. Kept
     * as long as the checkpoint (one short entry each), not as a marker: its value is not stamped for expiry.
     */
    private static String reportedKey(String checkpointId) {
        return checkpointId + "!reported";
    }

    /** Beside the evaluation's shards, outside their prefix, so that counting them never counts it. */
    private static String measuredKey(String evaluation) {
        return evaluation.substring(0, evaluation.length() - 1) + "!" + MEASURED;
    }

    /** How many shards of the evaluation the store holds (counted, not parsed: this runs for every shard). */
    private int stored(String evaluation) {
        int count = 0;
        try (KeyValueIterator<String, String> shards = evaluations.prefixScan(evaluation, new StringSerializer())) {
            while (shards.hasNext()) {
                shards.next();
                count++;
            }
        }
        return count;
    }

    private Map<Integer, ShardOutcome> collected(String evaluation) {
        Map<Integer, ShardOutcome> outcomes = new HashMap<>();
        try (KeyValueIterator<String, String> shards = evaluations.prefixScan(evaluation, new StringSerializer())) {
            while (shards.hasNext()) {
                KeyValue<String, String> kv = shards.next();
                ShardOutcome outcome = read(kv.value);
                outcomes.put(outcome.shard(), outcome);
            }
        }
        return outcomes;
    }

    private String write(ShardOutcome outcome) {
        try {
            return json.writeValueAsString(outcome);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private ShardOutcome read(String value) {
        try {
            return json.readValue(value, ShardOutcome.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable shard in the store: " + e.getOriginalMessage(), e);
        }
    }
}
