package dev.logitlab.core.sandbox;

import ai.djl.engine.EngineException;
import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.evaluation.EvaluationListener;
import dev.logitlab.core.evaluation.ModelSession;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.ModelContract;
import dev.logitlab.core.model.TorchScriptClassifier;
import dev.logitlab.core.sandbox.WorkerProtocol.Answer;
import dev.logitlab.core.sandbox.WorkerProtocol.Open;
import dev.logitlab.core.sandbox.WorkerProtocol.Progress;
import dev.logitlab.core.sandbox.WorkerProtocol.Request;
import java.io.BufferedInputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The process a model from outside runs in ({@link Sandbox} starts it behind its walls): it opens one model on one
 * data set under one plan ({@link ModelSession#inProcess}) and answers its host's requests over a Unix socket until the
 * host closes it. It never opens anything the host did not bind for it, and what it sends back is checked by the
 * host ({@link WorkerAnswers}). Errors go back as codes; their text goes to this process's output, which the host
 * keeps for operators only.
 */
public final class ModelWorker {

    private final InputStream in;
    private final Writer out;
    private final Path dataDir;
    private ModelSession session;

    private ModelWorker(InputStream in, Writer out, Path dataDir) {
        this.in = in;
        this.out = out;
        this.dataDir = dataDir;
    }

    /** {@code args[0]}: the host's socket; {@code args[1]}: the data set's directory, or {@code -}. */
    public static void main(String[] args) throws IOException {
        SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(args[0]));
        InputStream in = new BufferedInputStream(Channels.newInputStream(channel), 1 << 16);
        Writer out = new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(channel), StandardCharsets.UTF_8));
        ModelWorker worker = new ModelWorker(in, out, args[1].equals("-") ? null : Path.of(args[1]));
        for (String line = WorkerAnswers.readLine(in); line != null; line = WorkerAnswers.readLine(in)) {
            worker.serve(WorkerProtocol.JSON.readValue(line, Request.class));
        }
    }

    private void serve(Request request) throws IOException {
        Answer answer;
        try {
            answer = answer(request);
        } catch (IOException e) {
            throw e; // the host is gone
        } catch (ModelContract.Violation v) {
            answer = new Answer(null, null, null, null, v.check(), null, null, null);
        } catch (OutOfMemoryError | RuntimeException e) {
            System.err.println("model worker: " + request.op() + " failed: " + e);
            answer = new Answer(cause(e).code(), null, null, null, null, null, null, null);
        }
        send(answer);
    }

    private Answer answer(Request request) throws IOException {
        return switch (request.op()) {
            case WorkerProtocol.OPEN -> {
                open(request.open());
                yield new Answer(null, null, true, null, null, null, null, null);
            }
            case WorkerProtocol.DRAWS -> new Answer(null, null, null, session.draws(), null, null, null, null);
            case WorkerProtocol.CONTRACT -> {
                session.checkContract();
                yield new Answer(null, null, true, null, null, null, null, null);
            }
            case WorkerProtocol.SHARD -> new Answer(null, null, null, null, null,
                    session.run(session.shards().shard(request.shard()), request.attacked()), null, null);
            case WorkerProtocol.MEASURE -> new Answer(null, null, null, null, null, null, session.measure(progress()), null);
            case WorkerProtocol.FINDINGS -> new Answer(null, null, null, null, null, null, null,
                    session.findings(request.results(), request.measured(), progress()));
            default -> throw new IllegalArgumentException("unknown request " + request.op());
        };
    }

    private void open(Open open) throws IOException {
        Path model = receive(open.modelBytes(), "model.pt");
        Path surrogate = open.surrogateBytes() > 0 ? receive(open.surrogateBytes(), "surrogate.pt") : null;
        Classifier target = load(model);
        Classifier other = surrogate == null ? null : load(surrogate);
        var test = Datasets.load(open.dataset(), dataDir).test();
        session = ModelSession.inProcess(target, test, open.plan(), other);
    }

    /** The bytes of a model, from the socket into this worker's scratch folder. */
    private Path receive(long bytes, String name) throws IOException {
        Path file = Path.of(System.getProperty("java.io.tmpdir"), name);
        try (OutputStream copy = Files.newOutputStream(file)) {
            byte[] chunk = new byte[1 << 16];
            for (long left = bytes; left > 0; ) {
                int n = in.read(chunk, 0, (int) Math.min(chunk.length, left));
                if (n < 0) {
                    throw new java.io.EOFException("the host sent " + (bytes - left) + " of " + bytes + " bytes");
                }
                copy.write(chunk, 0, n);
                left -= n;
            }
        }
        return file;
    }

    /** A model loaded from its file, which is deleted at once: libtorch has read it whole. */
    private static Classifier load(Path file) throws IOException {
        try {
            return new TorchScriptClassifier(file);
        } catch (IllegalArgumentException e) {
            throw new NotLoaded(e);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** libtorch refused the file: a cause of its own, since no pass ran. */
    private static final class NotLoaded extends RuntimeException {
        NotLoaded(Throwable cause) {
            super(cause);
        }
    }

    private EvaluationListener progress() {
        return (stage, done, total) -> {
            try {
                send(new Answer(null, new Progress(stage, done, total), null, null, null, null, null, null));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
    }

    private void send(Answer answer) throws IOException {
        out.write(WorkerProtocol.JSON.writeValueAsString(answer));
        out.write('\n');
        out.flush();
    }

    /** What the host is told: a code, never the text (the model chose it). */
    static ModelFailure.Cause cause(Throwable e) {
        if (e instanceof NotLoaded) {
            return ModelFailure.Cause.NOT_LOADED;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (t instanceof OutOfMemoryError || m != null && (m.contains("can't allocate memory")
                    || m.contains("Cannot allocate memory") || m.contains("std::bad_alloc"))) {
                return ModelFailure.Cause.MEMORY_LIMIT;
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof EngineException) {
                return ModelFailure.Cause.MODEL_ERROR;
            }
        }
        return ModelFailure.Cause.INTERNAL;
    }
}
