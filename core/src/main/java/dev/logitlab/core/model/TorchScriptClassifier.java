package dev.logitlab.core.model;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * An external TorchScript model (input N×C×H×W float in [0, 1], output logits). It is loaded trainable
 * ({@code trainParam=true}): without that, libtorch builds inference tensors and input gradients fail with
 * "Inference tensors cannot be saved for backward". The weights are then frozen, so only ∇ₓ is computed.
 */
public final class TorchScriptClassifier implements Classifier {

    private final Model model;
    private final Block block;
    private final ParameterStore store;
    private final Path file;

    /**
     * Loads a TorchScript file into this process. Only for a model its user trusts (the CLI's {@code --trust-model},
     * tests, benchmarks) and in a sandboxed worker: a TorchScript file is code ({@code dev.logitlab.core.sandbox}).
     */
    public TorchScriptClassifier(Path file) {
        this.file = file;
        try {
            TorchScriptArchive.check(file);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file.getFileName() + ": " + e.getMessage(), e);
        }
        Torch.engine();
        this.model = Model.newInstance(file.getFileName().toString(), "PyTorch");
        try {
            model.load(file, null, Map.of("trainParam", "true"));
        } catch (IOException | MalformedModelException | ai.djl.engine.EngineException e) {
            model.close();
            String message = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw new IllegalArgumentException("cannot load TorchScript model " + file.getFileName() + ": " + message, e);
        }
        this.block = model.getBlock();
        this.store = new ParameterStore(model.getNDManager(), false);
        // DJL runs a TorchScript forward with autograd only in "training" calls, and switches the module to
        // train() when the flag changes. The block starts flagged for training: put the module itself in eval()
        // once, then always call forward as training, so batch norm and dropout act as at inference.
        JniUtils.enableInferenceMode((PtSymbolBlock) block);
        for (Pair<String, Parameter> p : block.getParameters()) {
            p.getValue().getArray().setRequiresGradient(false);
        }
    }

    @Override
    public String description() {
        return "torchscript:" + file;
    }

    @Override
    public NDManager manager() {
        return model.getNDManager();
    }

    @Override
    public NDArray logits(NDArray images) {
        return MicroBatches.forward(x -> block.forward(store, new NDList(x), true).singletonOrThrow(), images);
    }

    @Override
    public void close() {
        model.close();
    }
}
