package dev.logitlab.events;

import java.util.List;

/**
 * A sweep ({@code POST /api/sweeps}): a grid of defenses × learning rates × batch sizes × seeds over a base run
 * spec, one run per point, trained in-process ({@code local}) or as Kubernetes Jobs ({@code kubernetes}).
 */
public record SweepSpec(
        String name,
        RunSpec base,
        List<String> defenses,
        List<Double> learningRates,
        List<Integer> batchSizes,
        List<Long> seeds,
        String executor) {
}
