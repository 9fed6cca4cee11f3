package dev.logitlab.events;

/** Kafka topic names (defaults; services read them from configuration) and CloudEvents types. */
public final class Topics {

    public static final String RUNS = "logitlab.runs";
    public static final String CHECKPOINTS = "logitlab.checkpoints";
    public static final String ATTACK_RESULTS = "logitlab.attack-results";
    public static final String REPORTS = "logitlab.reports";
    public static final String DLQ_PREFIX = "logitlab.dlq.";

    /** CloudEvents {@code type}s, versioned: a breaking change gets a new version, never a new meaning. */
    public static final String RUN_SUBMITTED = "dev.logitlab.run.submitted.v1";
    public static final String RUN_PROGRESS = "dev.logitlab.run.progress.v1";
    public static final String RUN_COMPLETED = "dev.logitlab.run.completed.v1";
    public static final String RUN_FAILED = "dev.logitlab.run.failed.v1";
    public static final String CHECKPOINT_CREATED = "dev.logitlab.checkpoint.created.v1";
    public static final String ATTACK_COMPLETED = "dev.logitlab.attack.completed.v1";
    public static final String ATTACK_FAILED = "dev.logitlab.attack.failed.v1";
    public static final String REPORT_PUBLISHED = "dev.logitlab.report.published.v1";

    /** The CloudEvents {@code source} of each service. */
    public static final String SOURCE_PREFIX = "/logitlab/";

    private Topics() {
    }

    /** The dead-letter topic of a service: {@code logitlab.dlq.<service>}. */
    public static String deadLetter(String service) {
        return DLQ_PREFIX + service;
    }
}
