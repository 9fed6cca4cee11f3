package dev.logitlab.trainer.sweep;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.events.EvaluationReport;
import dev.logitlab.events.ReportPublished;
import dev.logitlab.service.ServiceMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * The newest report of every run, read from the compacted {@code logitlab.reports} (the trainer learns of the
 * analysis only through Kafka), so a sweep can show each point's latest robustness.
 */
@ApplicationScoped
public class LatestReports {

    private static final Logger LOG = Logger.getLogger(LatestReports.class);

    /** What a sweep shows of a run's newest report. */
    public record Summary(String checkpointId, int epoch, double cleanAccuracy, List<EvaluationReport.WorstCase> worstCase,
                          boolean maskingSuspected) {
    }

    @Inject
    ObjectMapper json;

    @Inject
    MeterRegistry metrics;

    private final Map<String, Summary> latest = new ConcurrentHashMap<>();

    @Incoming("reports")
    @Blocking
    public void report(String record) {
        try {
            if (!json.readTree(record).has("report")) {
                return; // a failed evaluation or one still in progress: the latest report stands
            }
            ReportPublished r = json.readValue(record, ReportPublished.class);
            latest.merge(r.runId(), new Summary(r.checkpointId(), r.epoch(), r.report().cleanAccuracy(),
                    r.report().worstCase(), r.report().masking().suspected()),
                    (old, now) -> now.epoch() >= old.epoch() ? now : old);
        } catch (Exception e) {
            // Reports are the analysis service's contract; one we cannot read is not ours to dead-letter.
            ServiceMetrics.RECORDS_SKIPPED.counter(metrics, "topic", "logitlab.reports").increment();
            LOG.debugf("ignoring an unreadable report: %s", e.getMessage());
        }
    }

    public Optional<Summary> of(String runId) {
        return Optional.ofNullable(latest.get(runId));
    }
}
