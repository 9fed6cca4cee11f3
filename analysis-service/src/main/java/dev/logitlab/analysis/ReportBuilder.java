package dev.logitlab.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.core.checkpoint.Checkpoint;
import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.data.TrainTestSplit;
import dev.logitlab.core.evaluation.AnalysisPhase;
import dev.logitlab.core.evaluation.EvaluationPlan;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.NetworkClassifier;
import dev.logitlab.events.AttackEvent;
import dev.logitlab.events.CheckpointCreated;
import dev.logitlab.events.EvaluationReport;
import dev.logitlab.events.EventSchemas;
import dev.logitlab.events.ReportPublished;
import dev.logitlab.events.RunSpec;
import dev.logitlab.events.Topics;
import dev.logitlab.service.CheckpointStore;
import dev.logitlab.service.CloudEvents;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Joins each checkpoint event with its attack results (in whichever order they arrive), runs the analysis phase
 * (gap statistics, masking verdict) on the verified checkpoint, and publishes the report on the compacted
 * {@code logitlab.reports}. Records that are not valid events go to {@code logitlab.dlq.analysis-service}.
 */
@ApplicationScoped
public class ReportBuilder {

    private static final Logger LOG = Logger.getLogger(ReportBuilder.class);
    private static final String SERVICE = "analysis-service";

    @Inject
    ReportStore reports;

    @Inject
    CheckpointStore store;

    @Inject
    ObjectMapper json;

    @Inject
    MeterRegistry metrics;

    @Inject
    @Channel("reports")
    Emitter<ReportPublished> out;

    @ConfigProperty(name = "logitlab.data-dir")
    Optional<Path> dataDir;

    private final Map<String, AttackEvent> waitingForCheckpoint = new ConcurrentHashMap<>();
    private final Map<String, TrainTestSplit> datasets = new ConcurrentHashMap<>();
    private final Map<String, double[]> robustAccuracy = new ConcurrentHashMap<>();

    @Incoming("checkpoints")
    @Blocking(ordered = true)
    public synchronized void checkpoint(String record) throws Exception {
        CheckpointCreated event = read(record, CheckpointCreated.class);
        reports.checkpoint(event);
        AttackEvent waiting = waitingForCheckpoint.remove(event.checkpointId());
        if (waiting != null) {
            analyse(event, waiting);
        }
    }

    @Incoming("attack-results")
    @Blocking(ordered = true)
    public synchronized void attackResults(String record) throws Exception {
        AttackEvent event = read(record, AttackEvent.class);
        if (event.kind().equals("failed")) {
            LOG.warnf("checkpoint %s was not attacked: %s", event.checkpointId(), event.reason());
            metrics.counter("logitlab.analysis.attack-failures").increment();
            return;
        }
        Optional<CheckpointCreated> checkpoint = reports.checkpoint(event.checkpointId());
        if (checkpoint.isEmpty()) {
            waitingForCheckpoint.put(event.checkpointId(), event);
            return;
        }
        analyse(checkpoint.get(), event);
    }

    private void analyse(CheckpointCreated checkpoint, AttackEvent attacks) {
        Optional<ReportPublished> existing = reports.report(checkpoint.checkpointId());
        if (existing.isPresent() && existing.get().report().seed() == attacks.seed()
                && existing.get().report().attacks().equals(attacks.results().attacks())) {
            LOG.infof("report of %s already published: skipping the redelivery", checkpoint.checkpointId());
            return;
        }
        EvaluationReport report;
        try {
            Checkpoint verified = store.open(checkpoint);
            report = analyse(checkpoint, verified, attacks);
        } catch (IllegalStateException | IllegalArgumentException e) {
            LOG.warnf("checkpoint %s cannot be analysed: %s", checkpoint.checkpointId(), e.getMessage());
            metrics.counter("logitlab.analysis.failures").increment();
            return;
        }
        ReportPublished published = new ReportPublished(ReportPublished.SCHEMA_VERSION, checkpoint.runId(),
                checkpoint.checkpointId(), checkpoint.epoch(), checkpoint.configHash(), checkpoint.seed(),
                checkpoint.defense(), report);
        reports.report(published);
        metrics.counter("logitlab.reports.published").increment();
        report.worstCase().forEach(w -> robustAccuracy(checkpoint.runId(), w.eps(), w.robustAccuracy()));
        out.send(CloudEvents.message(published, SERVICE, checkpoint.checkpointId(), Topics.REPORT_PUBLISHED,
                checkpoint.checkpointId()));
    }

    /** The latest worst-case robust accuracy per run and ε, as a gauge. */
    private void robustAccuracy(String runId, double eps, double value) {
        robustAccuracy.computeIfAbsent(runId + "@" + eps, key -> {
            double[] holder = new double[1];
            Gauge.builder("logitlab.robust.accuracy", holder, h -> h[0])
                    .tags("run", runId, "eps", Double.toString(eps)).register(metrics);
            return holder;
        })[0] = value;
    }

    private EvaluationReport analyse(CheckpointCreated checkpoint, Checkpoint verified, AttackEvent attacks) {
        RunSpec.Evaluation e = checkpoint.evaluation();
        EvaluationPlan plan = new EvaluationPlan(e.eps(), e.attacks(), e.limit(), checkpoint.seed(), e.gapLimit());
        TrainTestSplit data = datasets.computeIfAbsent(checkpoint.dataset(), n -> Datasets.load(n, dataDir.orElse(null)));
        try (Classifier model = new NetworkClassifier(verified.network(), checkpoint.checkpointId())) {
            return new AnalysisPhase(model, data.test(), plan).run(attacks.results(), null);
        }
    }

    private <T> T read(String record, Class<T> type) throws Exception {
        JsonNode node = json.readTree(record);
        List<String> violations = EventSchemas.violations(type, node);
        if (!violations.isEmpty()) {
            throw new IllegalArgumentException("not a valid " + type.getSimpleName() + ": " + violations);
        }
        return json.treeToValue(node, type);
    }
}
