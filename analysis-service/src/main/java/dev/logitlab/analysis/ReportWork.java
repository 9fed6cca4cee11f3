package dev.logitlab.analysis;

import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.data.TrainTestSplit;
import dev.logitlab.core.evaluation.AnalysisPhase;
import dev.logitlab.core.evaluation.AttackPhase;
import dev.logitlab.core.evaluation.EvaluationPlan;
import dev.logitlab.core.evaluation.ModelMeasurements;
import dev.logitlab.core.evaluation.ShardPlan;
import dev.logitlab.core.evaluation.ShardTimes;
import dev.logitlab.core.evaluation.WorstCaseMerge;
import dev.logitlab.core.evaluation.ModelSession;
import dev.logitlab.core.model.Deadline;
import dev.logitlab.core.sandbox.ModelFailure;
import dev.logitlab.events.CheckpointCreated;
import dev.logitlab.events.EvaluationReport;
import dev.logitlab.events.ReportPublished;
import dev.logitlab.events.RunSpec;
import dev.logitlab.events.ShardOutcome;
import dev.logitlab.service.CheckpointStore;
import dev.logitlab.service.ServiceMetrics;
import dev.logitlab.service.Transient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The analysis service's work, called by its merger: merge every shard's outcome (per-example worst case), then
 * run the analysis phase (gap statistics, masking verdict) on the verified checkpoint. Whatever runs the model has a
 * deadline ({@code logitlab.analysis.timeout}); a model from outside runs in its sandboxed worker, and an analysis
 * whose worker died is tried again, at most {@code logitlab.analysis.attempts} times in all, before the report fails
 * naming why (a deadline, the memory cap or the model's own error fail it at once: they would again).
 */
@ApplicationScoped
public class ReportWork {

    private static final Logger LOG = Logger.getLogger(ReportWork.class);

    static final int ATTEMPTS = 4;

    @Inject
    CheckpointStore store;

    @Inject
    MeterRegistry metrics;

    @ConfigProperty(name = "logitlab.data-dir")
    Optional<Path> dataDir;

    /** Per analysis (and per early measurement); times the attempts, below the consumer's max.poll.interval.ms. */
    @ConfigProperty(name = "logitlab.analysis.timeout", defaultValue = "PT8M")
    Duration timeout;

    @ConfigProperty(name = "logitlab.analysis.attempts", defaultValue = "2")
    int attempts;

    @ConfigProperty(name = "kafka-streams.consumer.max.poll.interval.ms", defaultValue = "300000")
    long maxPollInterval;

    /** Refuses to start with limits a record could outlive: its replica would leave the group in the middle of it. */
    void checkLimits(@Observes StartupEvent event) {
        dev.logitlab.service.PollInterval.require("logitlab.analysis.attempts × logitlab.analysis.timeout",
                timeout.multipliedBy(Math.max(1, attempts)), maxPollInterval);
    }

    private final Map<String, TrainTestSplit> datasets = new ConcurrentHashMap<>();

    /**
     * The measurements on the checkpoint's model alone ({@link ModelMeasurements}), made while its shards are still
     * being attacked; throws when the checkpoint cannot be analysed.
     */
    synchronized ModelMeasurements measure(CheckpointCreated c) {
        EvaluationPlan plan = EvaluationPlan.of(c.evaluation(), c.seed());
        return withModel(c, plan, 1, session -> session.measure(null)); // once: when it fails, the report measures
    }

    /**
     * The report of a checkpoint whose shards are all in, with the measurements made early when there are some
     * (null: none); throws when the checkpoint cannot be analysed. {@code announcedAt}: when the checkpoint was
     * announced (epoch ms), so the timeline starts with the wall time until its last shard was in: queueing,
     * planning, shards waiting for a replica and their compute.
     */
    synchronized ReportPublished report(CheckpointCreated c, Map<Integer, ShardOutcome> outcomes,
                                        ModelMeasurements measured, long announcedAt) {
        double waited = Math.max(0, System.currentTimeMillis() - announcedAt) / 1000.0;
        long start = System.nanoTime();
        RunSpec.Evaluation e = c.evaluation();
        EvaluationPlan plan = EvaluationPlan.of(e, c.seed());
        TrainTestSplit data = data(c);
        ShardPlan shards = AttackPhase.plan(plan, data.test());
        var results = WorstCaseMerge.merge(shards, c.checkpointId(), c.dataset(), outcomes);
        AnalysisPhase.Findings findings = withModel(c, plan, attempts,
                session -> session.findings(results, measured, null));
        EvaluationReport report = AnalysisPhase.conclude(plan, results, findings);
        boolean early = measured != null && measured.madeOn(results.clean());
        ServiceMetrics.MODEL_MEASUREMENTS.counter(metrics, "when", early ? "early" : "at-report").increment();
        report = report.withTimeline(ShardTimes.concat(ShardTimes.concat(List.of(new EvaluationReport.Stage(
                "wall: announced until the last shard was in", waited)), ShardTimes.compute(shards, outcomes)),
                report.timeline()));
        ServiceMetrics.REPORTS_PUBLISHED.counter(metrics).increment();
        ServiceMetrics.REPORT_DURATION.timer(metrics).record(java.time.Duration.ofNanos(System.nanoTime() - start));
        report.worstCase().forEach(w -> ServiceMetrics.ROBUST_ACCURACY.summary(metrics, "norm", w.norm())
                .record(w.robustAccuracy()));
        return new ReportPublished(ReportPublished.SCHEMA_VERSION, c.runId(), c.checkpointId(), c.epoch(),
                c.configHash(), c.seed(), c.defense(), report, c.format());
    }

    /**
     * {@code work} on the checkpoint's model within the analysis deadline, again in a new session when the model's
     * worker died, up to {@code attempts} in all; then the last failure is thrown, saying how many there were.
     */
    private <T> T withModel(CheckpointCreated c, EvaluationPlan plan, int attempts, Function<ModelSession, T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return Deadline.within(timeout, "logitlab.analysis.timeout", () -> {
                    try (ModelSession session = Transient.retry("loading " + c.checkpointId(), ATTEMPTS,
                            () -> store.session(c, data(c).test(), plan))) {
                        return work.apply(session);
                    }
                });
            } catch (ModelFailure f) {
                // only a worker that died is worth another: a deadline, the memory cap or the model's own error again
                if (!worthAnother(f) || attempt >= Math.max(1, attempts)) {
                    throw new IllegalStateException(attempt == 1 ? f.getMessage() : "the model's worker failed in " + attempt
                            + " attempts (logitlab.analysis.attempts); the last: " + f.getMessage(), f);
                }
                LOG.warnf("analysis of %s: attempt %d failed (%s); trying again", c.checkpointId(), attempt,
                        f.reason().code());
            }
        }
    }

    private static boolean worthAnother(ModelFailure f) {
        return f.reason() == ModelFailure.Cause.CRASHED || f.reason() == ModelFailure.Cause.UNAVAILABLE;
    }

    private TrainTestSplit data(CheckpointCreated c) {
        // Keyed by the canonical name: case variants of one name must not each load a copy.
        return datasets.computeIfAbsent(Datasets.canonical(c.dataset()), n -> Datasets.load(n, dataDir.orElse(null)));
    }

}
