package dev.logitlab.core.train;

/** Where a run is: epoch and batch (1-based), running loss and accuracy over the epoch so far, speed. */
public record TrainingProgress(
        String runId,
        int epoch,
        int epochs,
        int batch,
        int batches,
        double loss,
        double accuracy,
        double imagesPerSecond) {

    /** Fraction of the whole run done, 0..1. */
    public double fraction() {
        return ((epoch - 1) + (double) batch / batches) / epochs;
    }
}
