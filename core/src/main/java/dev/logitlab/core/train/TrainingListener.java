package dev.logitlab.core.train;

import dev.logitlab.core.checkpoint.Checkpoint;

/** Hears a run's progress: the CLI draws a progress bar, the trainer service publishes events. */
public interface TrainingListener {

    TrainingListener NONE = new TrainingListener() {
    };

    /** After every batch. */
    default void onProgress(TrainingProgress progress) {
    }

    /** After every epoch's last step: where the steps spent their time. */
    default void onStepTimes(StepTimes times) {
    }

    /** After every epoch, once its checkpoint is on disk. */
    default void onCheckpoint(Checkpoint checkpoint) {
    }

    /** Asked before every batch; true stops the run after the last complete checkpoint. */
    default boolean cancelled() {
        return false;
    }
}
