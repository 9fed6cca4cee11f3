package dev.logitlab.trainer;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.logitlab.events.RunEvent;
import dev.logitlab.events.RunSpec;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/** One submitted run as the trainer tracks it; serialised as the REST view of the run. */
public final class Run {

    /** Where a run is in its life. */
    public enum Status { QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED }

    /** A checkpoint the run published. */
    public record CheckpointView(String checkpointId, int epoch, String uri, String sha256, double cleanAccuracy) {
    }

    private final String runId;
    private final RunSpec spec;
    private final String configHash;
    private final Instant submittedAt;
    private final String owner;
    private final List<CheckpointView> checkpoints = new CopyOnWriteArrayList<>();
    private final AtomicBoolean cancelRequested = new AtomicBoolean();
    private volatile Status status = Status.QUEUED;
    private volatile RunEvent.Progress progress;
    private volatile String error;
    private volatile String submittedBy;

    Run(String runId, RunSpec spec, String configHash, Instant submittedAt, String owner) {
        this.runId = runId;
        this.owner = owner;
        this.spec = spec;
        this.configHash = configHash;
        this.submittedAt = submittedAt;
    }

    public String getRunId() {
        return runId;
    }

    public RunSpec getSpec() {
        return spec;
    }

    public String getConfigHash() {
        return configHash;
    }

    public Instant getSubmittedAt() {
        return submittedAt;
    }

    /** {@code service}: queued on this trainer; {@code worker}: a training Job's run. */
    public String getOwner() {
        return owner;
    }

    public Status getStatus() {
        return status;
    }

    public RunEvent.Progress getProgress() {
        return progress;
    }

    public List<CheckpointView> getCheckpoints() {
        return List.copyOf(checkpoints);
    }

    public String getError() {
        return error;
    }

    /** Who submitted it (the token's subject; none for a training Job's run): they, or an operator, may cancel it. */
    public String getSubmittedBy() {
        return submittedBy;
    }

    void submittedBy(String who) {
        submittedBy = who;
    }

    @JsonIgnore
    boolean cancelRequested() {
        return cancelRequested.get();
    }

    void requestCancel() {
        cancelRequested.set(true);
        if (status == Status.QUEUED) {
            status = Status.CANCELLED;
        }
    }

    void status(Status next) {
        status = next;
    }

    void progress(RunEvent.Progress next) {
        progress = next;
    }

    void checkpoint(CheckpointView checkpoint) {
        checkpoints.removeIf(c -> c.epoch() == checkpoint.epoch());
        checkpoints.add(checkpoint);
    }

    void fail(String reason) {
        error = reason;
        status = Status.FAILED;
    }

    @JsonIgnore
    public boolean finished() {
        return status == Status.SUCCEEDED || status == Status.FAILED || status == Status.CANCELLED;
    }
}
