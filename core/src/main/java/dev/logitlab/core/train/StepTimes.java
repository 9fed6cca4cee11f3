package dev.logitlab.core.train;

/**
 * Where one epoch's training steps spent their time, in seconds: making the batch (images, labels, one-hot), the
 * defense's inputs (noise, or the adversarial examples of adversarial training: passes through the network too), the
 * forward pass, loss and backward pass, the optimizer's update, and the rest (accuracy bookkeeping, progress). What
 * {@code ./lab bench peers} reports as the step's own cost outside the network's passes.
 */
public record StepTimes(int epoch, int images, double batch, double defense, double forwardBackward, double optimizer,
                        double total) {

    public double rest() {
        return Math.max(0, total - batch - defense - forwardBackward - optimizer);
    }
}
