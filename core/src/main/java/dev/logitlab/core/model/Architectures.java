package dev.logitlab.core.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;

/** Builds the DJL block of each architecture; the same spec always gives the same block. */
final class Architectures {

    static final int MLP_HIDDEN = 256;

    private Architectures() {
    }

    static Block build(ModelSpec spec) {
        return switch (spec.architecture()) {
            case "linear" -> new SequentialBlock()
                    .add(Blocks.batchFlattenBlock())
                    .add(Linear.builder().setUnits(spec.classes()).build());
            case "mlp" -> new SequentialBlock()
                    .add(Blocks.batchFlattenBlock())
                    .add(Linear.builder().setUnits(MLP_HIDDEN).build())
                    .add(Activation.reluBlock())
                    .add(Linear.builder().setUnits(MLP_HIDDEN).build())
                    .add(Activation.reluBlock())
                    .add(Linear.builder().setUnits(spec.classes()).build());
            case "small-cnn" -> smallCnn(spec.classes());
            default -> {
                int[] shape = spec.wideResNetShape();
                yield WideResNet.build(shape[0], shape[1], spec.classes());
            }
        };
    }

    /** conv 32 → conv 64 → fc 128 → K, each conv 3×3 "same" followed by ReLU and 2×2 max-pooling. */
    private static Block smallCnn(int classes) {
        return new SequentialBlock()
                .add(conv(32))
                .add(Activation.reluBlock())
                .add(MaxPooling.block())
                .add(conv(64))
                .add(Activation.reluBlock())
                .add(MaxPooling.block())
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(128).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(classes).build());
    }

    private static Block conv(int filters) {
        return Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(filters).build();
    }
}
