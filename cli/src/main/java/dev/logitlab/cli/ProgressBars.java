package dev.logitlab.cli;

import dev.logitlab.core.checkpoint.Checkpoint;
import dev.logitlab.core.checkpoint.CheckpointManifest;
import dev.logitlab.core.train.TrainingListener;
import dev.logitlab.core.train.TrainingProgress;
import java.io.PrintWriter;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar per epoch (loss, accuracy, images/s) and a line per checkpoint. */
final class ProgressBars implements TrainingListener {

    private final String label;
    private final PrintWriter out;
    private ProgressBar bar;
    private int barEpoch = -1;

    ProgressBars(String label, PrintWriter out) {
        this.label = label;
        this.out = out;
    }

    @Override
    public void onProgress(TrainingProgress p) {
        if (bar == null || barEpoch != p.epoch()) {
            close();
            bar = new ProgressBarBuilder()
                    .setTaskName(label + " " + p.epoch() + "/" + p.epochs())
                    .setInitialMax(p.batches())
                    .setStyle(ProgressBarStyle.ASCII)
                    .setMaxRenderedLength(120)
                    .setUpdateIntervalMillis(250)
                    .build();
            barEpoch = p.epoch();
        }
        bar.stepTo(p.batch());
        bar.setExtraMessage(String.format("loss %.3f acc %.3f %.0f img/s", p.loss(), p.accuracy(), p.imagesPerSecond()));
    }

    @Override
    public void onCheckpoint(Checkpoint checkpoint) {
        close();
        CheckpointManifest m = checkpoint.manifest();
        out.printf("%s epoch %d: clean accuracy %.4f, train loss %.4f, mean logit norm %.2f, %,.0f img/s -> %s%n",
                label, m.epoch(), m.metrics().cleanAccuracy(), m.metrics().trainLoss(), m.metrics().meanLogitNorm(),
                m.metrics().trainImagesPerSecond(), checkpoint.directory());
        out.flush();
    }

    void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
