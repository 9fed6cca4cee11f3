package dev.logitlab.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.function.ToDoubleFunction;

/**
 * Every {@code logitlab_*} metric with its help text, in one place, so that Prometheus sees a HELP line and the
 * unit suffix it expects on each (counters end in {@code _total}, the timer in {@code _seconds}, the ratio in
 * {@code _ratio}).
 */
public enum ServiceMetrics {
    RUNS_SUBMITTED("logitlab.runs.submitted", "Training runs the trainer accepted"),
    RUNS_SET_ASIDE("logitlab.runs.set.aside", "Run journals the trainer could not read, moved to run.json.unreadable"),
    RUNS_FAILED("logitlab.runs.failed", "Training runs that ended in an error"),
    CHECKPOINTS_PUBLISHED("logitlab.checkpoints.published", "Checkpoints written and announced on logitlab.checkpoints"),
    CHECKPOINTS_PROCESSED("logitlab.checkpoints.processed", "Checkpoints planned into attack shards"),
    CHECKPOINTS_DUPLICATES("logitlab.checkpoints.duplicates", "Checkpoint events seen again and not planned twice"),
    SHARDS_PROCESSED("logitlab.shards.processed", "Attack shards run, successfully or not"),
    SHARDS_DUPLICATES("logitlab.shards.duplicates", "Shard results seen again and not merged twice"),
    ATTACK_FAILURES("logitlab.attack.failures", "Checkpoints or shards the attack service could not attack"),
    ATTACK_SHARD_DURATION("logitlab.attack.shard.duration", "Time to attack one shard, model loading included"),
    REPORTS_PUBLISHED("logitlab.reports.published", "Evaluation reports published on logitlab.reports"),
    REPORT_DURATION("logitlab.report.duration",
            "Time to turn one evaluation's shard outcomes into its report: merge, model loading and the analysis phase"),
    MODEL_MEASUREMENTS("logitlab.analysis.measurements", "Gap statistics, minimal-eps searches and binarization tests "
            + "of a report, by when they were made: early (while its shards were attacked) or at-report (none early, or "
            + "made on other correct examples)"),
    ANALYSIS_FAILURES("logitlab.analysis.failures", "Evaluations the analysis service could not analyse"),
    VERDICTS("logitlab.verdicts", "Verdicts published on logitlab.verdicts, by kind (passed, regressed, inconclusive, "
            + "masking-suspected, robust-overfitting)"),
    RECORDS_SKIPPED("logitlab.records.skipped", "Records a reader set aside as unreadable (no key, a key too long, "
            + "not JSON, not the topic's schema), by topic"),
    ROBUST_ACCURACY("logitlab.report.robust.accuracy",
            "Worst-case robust accuracy of each published report at each budget, by norm (per run: the REST API; a "
            + "label per run or per eps would grow without end)");

    private final String name;
    private final String help;

    ServiceMetrics(String name, String help) {
        this.name = name;
        this.help = help;
    }

    public Counter counter(MeterRegistry registry, String... tags) {
        return Counter.builder(name).description(help).tags(tags).register(registry);
    }

    public Timer timer(MeterRegistry registry) {
        return Timer.builder(name).description(help).register(registry);
    }

    public io.micrometer.core.instrument.DistributionSummary summary(MeterRegistry registry, String... tags) {
        return io.micrometer.core.instrument.DistributionSummary.builder(name).description(help).tags(tags)
                .register(registry);
    }

    public <T> Gauge gauge(MeterRegistry registry, T holder, ToDoubleFunction<T> value, String... tags) {
        return Gauge.builder(name, holder, value).description(help).tags(tags).register(registry);
    }
}
