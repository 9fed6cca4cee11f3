package dev.logitlab.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import java.util.List;

/**
 * Wide-ResNet-depth-k (Zagoruyko &amp; Komodakis 2016), the network of Shafahi et al.'s CIFAR experiments:
 * three groups of (depth−4)/6 pre-activation residual blocks of width 16k, 32k, 64k. Meant for GPU nodes.
 */
final class WideResNet {

    private WideResNet() {
    }

    static Block build(int depth, int widen, int classes) {
        int blocksPerGroup = (depth - 4) / 6;
        SequentialBlock net = new SequentialBlock().add(conv(16, 3, 1));
        int[] widths = {16 * widen, 32 * widen, 64 * widen};
        int in = 16;
        for (int g = 0; g < widths.length; g++) {
            for (int b = 0; b < blocksPerGroup; b++) {
                int stride = (b == 0 && g > 0) ? 2 : 1;
                net.add(residual(in, widths[g], stride));
                in = widths[g];
            }
        }
        return net.add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(Pool.globalAvgPool2dBlock())
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(classes).build());
    }

    private static Block residual(int in, int out, int stride) {
        Block main = new SequentialBlock()
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(conv(out, 3, stride))
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(conv(out, 3, 1));
        Block shortcut = (in == out && stride == 1) ? Blocks.identityBlock() : conv(out, 1, stride);
        return new ParallelBlock(WideResNet::sum, List.of(main, shortcut));
    }

    private static NDList sum(List<NDList> branches) {
        NDArray total = branches.get(0).singletonOrThrow().add(branches.get(1).singletonOrThrow());
        return new NDList(total);
    }

    private static Block conv(int filters, int kernel, int stride) {
        return Conv2d.builder()
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(kernel / 2, kernel / 2))
                .optBias(false)
                .setFilters(filters)
                .build();
    }
}
