package dev.logitlab.events;

import java.util.List;

/** Kafka topic names (defaults; services read them from configuration) and CloudEvents types. */
public final class Topics {

    public static final String RUNS = "logitlab.runs";
    /** Checkpoints to evaluate: written by the trainer only, so every announcement on it was checked for its owner. */
    public static final String CHECKPOINTS = "logitlab.checkpoints";
    /**
     * Checkpoints announced by producers outside the services ({@code checkpoint.created} of a TorchScript file under
     * the store's {@code inbox/}, with the producer's token in the {@value #CLAIM_HEADER} header): the trainer checks
     * the claim and the run's owner as for an upload, files the model, and announces it on {@link #CHECKPOINTS}.
     */
    public static final String ANNOUNCEMENTS = "logitlab.announcements";
    /** The header of an outside announcement that carries its producer's bearer token (a JWT of the stack's issuer). */
    public static final String CLAIM_HEADER = "logitlab-claim";
    public static final String ATTACK_TASKS = "logitlab.attack-tasks";
    /**
     * Gradient-free shards released by the results of their budget's gradient shards. Partitioned like the work
     * topic and read by the same source, so a stream task takes the older record of the two heads: a checkpoint's
     * last shards go ahead of a later checkpoint's first ones, and its report does not wait for the whole queue.
     */
    public static final String SURVIVOR_TASKS = "logitlab.survivor-tasks";
    public static final String ATTACK_RESULTS = "logitlab.attack-results";
    public static final String REPORTS = "logitlab.reports";
    public static final String VERDICTS = "logitlab.verdicts";
    /** Attempts per attack task, written before the shard starts (compacted, key taskId): see the attack service. */
    public static final String SHARD_ATTEMPTS = "logitlab.shard-attempts";
    public static final String DLQ_PREFIX = "logitlab.dlq.";

    /** CloudEvents {@code type}s, versioned: a breaking change gets a new version, never a new meaning. */
    public static final String RUN_SUBMITTED = "dev.logitlab.run.submitted.v1";
    public static final String RUN_PROGRESS = "dev.logitlab.run.progress.v1";
    public static final String RUN_COMPLETED = "dev.logitlab.run.completed.v1";
    public static final String RUN_FAILED = "dev.logitlab.run.failed.v1";
    public static final String CHECKPOINT_CREATED = "dev.logitlab.checkpoint.created.v2";
    public static final String ATTACK_TASK = "dev.logitlab.attack.task.v1";
    public static final String ATTACK_COMPLETED = "dev.logitlab.attack.completed.v2";
    public static final String ATTACK_FAILED = "dev.logitlab.attack.failed.v2";
    public static final String REPORT_PUBLISHED = "dev.logitlab.report.published.v1";
    public static final String REPORT_FAILED = "dev.logitlab.report.failed.v1";
    public static final String REPORT_PROGRESS = "dev.logitlab.report.progress.v1";
    public static final String VERDICT = "dev.logitlab.verdict.v2";

    /** The CloudEvents {@code source} of each service. */
    public static final String SOURCE_PREFIX = "/logitlab/";

    /**
     * A topic as the services and {@code ./lab stack} create it. The work topic has as many partitions as attack
     * replicas may ever run (KEDA's maximum in the chart is kept at or below it): a replica without a partition
     * idles. Results and reports are keyed by checkpointId, so every shard of a checkpoint meets in one partition.
     */
    public record TopicSpec(String name, int partitions, boolean compacted) {
    }

    public static final List<TopicSpec> ALL = List.of(
            new TopicSpec(RUNS, 3, false),
            new TopicSpec(CHECKPOINTS, 3, false),
            new TopicSpec(ANNOUNCEMENTS, 3, false),
            new TopicSpec(ATTACK_TASKS, 12, false),
            new TopicSpec(SURVIVOR_TASKS, 12, false),
            new TopicSpec(ATTACK_RESULTS, 6, false),
            new TopicSpec(REPORTS, 6, true),
            new TopicSpec(VERDICTS, 6, true),
            new TopicSpec(SHARD_ATTEMPTS, 3, true),
            new TopicSpec(DLQ_PREFIX + "trainer-service", 1, false),
            new TopicSpec(DLQ_PREFIX + "attack-service", 1, false),
            new TopicSpec(DLQ_PREFIX + "analysis-service", 1, false));

    private Topics() {
    }

    /**
     * A CloudEvents {@code id} derived from what the event is about, never random: the same input gives the same
     * id, so a consumer can recognise a redelivered event.
     */
    public static String eventId(String type, String subject) {
        return java.util.UUID.nameUUIDFromBytes((type + "\n" + subject).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .toString();
    }

    /** The dead-letter topic of a service: {@code logitlab.dlq.<service>}. */
    public static String deadLetter(String service) {
        return DLQ_PREFIX + service;
    }
}
