package dev.logitlab.trainer.sweep;

import dev.logitlab.events.RunSpec;
import dev.logitlab.events.SweepSpec;
import dev.logitlab.service.InvalidFieldException;
import dev.logitlab.trainer.SubmissionLimits;
import java.util.ArrayList;
import java.util.List;

/** The points of a sweep: every combination of its lists over the base spec (an empty list keeps the base value). */
public final class SweepGrid {

    private SweepGrid() {
    }

    /** Every point of the grid, once {@code limits} allowed their number. */
    public static List<RunSpec> expand(SweepSpec sweep, SubmissionLimits limits) {
        if (sweep == null || sweep.base() == null) {
            throw new InvalidFieldException("base", "a sweep needs a base run spec");
        }
        RunSpec b = sweep.base();
        List<String> defenses = orDefault(sweep.defenses(), b.defense() == null ? "plain" : b.defense());
        List<Double> rates = orDefault(sweep.learningRates(), b.learningRate());
        List<Integer> batches = orDefault(sweep.batchSizes(), b.batchSize());
        List<Long> seeds = orDefault(sweep.seeds(), b.seed());
        long points = (long) defenses.size() * rates.size() * batches.size() * seeds.size();
        limits.checkSweep(points);
        List<RunSpec> grid = new ArrayList<>();
        for (String defense : defenses) {
            for (double rate : rates) {
                for (int batch : batches) {
                    for (long seed : seeds) {
                        grid.add(new RunSpec(b.dataset(), b.model(), defense, b.epochs(), b.trainLimit(), b.testLimit(),
                                batch, rate, b.optimizer(), seed, b.evaluation()));
                    }
                }
            }
        }
        return grid;
    }

    private static <T> List<T> orDefault(List<T> values, T base) {
        return values == null || values.isEmpty() ? java.util.Collections.singletonList(base) : values;
    }
}
