package dev.logitlab.core.sandbox;

import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.evaluation.AnalysisPhase;
import dev.logitlab.core.evaluation.EvaluationListener;
import dev.logitlab.core.evaluation.EvaluationPlan;
import dev.logitlab.core.evaluation.ModelMeasurements;
import dev.logitlab.core.evaluation.ModelSession;
import dev.logitlab.core.evaluation.ShardPlan;
import dev.logitlab.core.model.Deadline;
import dev.logitlab.core.model.ModelContract;
import dev.logitlab.core.model.Torch;
import dev.logitlab.core.sandbox.WorkerProtocol.Answer;
import dev.logitlab.core.sandbox.WorkerProtocol.Request;
import dev.logitlab.events.AttackResults;
import dev.logitlab.events.ShardOutcome;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A model from outside, evaluated in its {@link ModelWorker}: each request waits at most until the thread's
 * {@link Deadline} (else the sandbox's call limit), and then the worker is killed, which stops whatever it runs, native
 * loops included. A session whose request failed (its worker killed, dead, out of memory, broken, or its model
 * raising) stays failed, its worker gone: every later request throws the same {@link ModelFailure} at once, so a
 * model that hangs costs one deadline, not one per shard. A broken contract is an answer, not a failure. Shards are planned
 * here (they depend on the plan and the test set's size), and every answer is checked ({@link WorkerAnswers}).
 */
final class SandboxedSession implements ModelSession {

    private final Worker worker;
    private final String description;
    private final Dataset test;
    private final EvaluationPlan plan;
    private final ShardPlan shards;
    private final InputStream in;
    private final OutputStream out;
    private Integer draws;
    private ModelFailure failed;

    SandboxedSession(Worker worker, String description, Dataset test, EvaluationPlan plan, ShardPlan shards) {
        this.worker = worker;
        this.description = description;
        this.test = test;
        this.plan = plan;
        this.shards = shards;
        this.in = new BufferedInputStream(Channels.newInputStream(worker.channel()), 1 << 16);
        this.out = new BufferedOutputStream(Channels.newOutputStream(worker.channel()), 1 << 16);
    }

    /** Opens the evaluation in the worker: the model's bytes (and the surrogate's) go over the socket. */
    void open(String dataset, Path model, Path surrogate) {
        try {
            long modelBytes = Files.size(model);
            long surrogateBytes = surrogate == null ? 0 : Files.size(surrogate);
            Answer answer = call(new Request(WorkerProtocol.OPEN, new WorkerProtocol.Open(dataset, plan, modelBytes,
                    surrogateBytes), null, null, null, null), null, surrogate == null ? new Path[] {model}
                    : new Path[] {model, surrogate});
            if (answer.done() == null) {
                throw broken();
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read the model copy", e);
        }
    }

    @Override
    public ShardPlan shards() {
        return shards;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public String dataset() {
        return test.baseName();
    }

    @Override
    public synchronized int draws() {
        if (draws == null) {
            draws = checked(() -> WorkerAnswers.draws(call(Request.of(WorkerProtocol.DRAWS), null).draws()));
        }
        return draws;
    }

    @Override
    public void checkContract() {
        Answer answer = call(Request.of(WorkerProtocol.CONTRACT), null);
        if (answer.violation() != null) {
            throw ModelContract.violation(checked(() -> WorkerAnswers.violation(answer.violation())), test);
        }
        if (answer.done() == null) {
            throw broken();
        }
    }

    @Override
    public ShardOutcome run(ShardPlan.Shard shard, String attacked) {
        Answer answer = call(new Request(WorkerProtocol.SHARD, null, shard.index(), attacked, null, null), null);
        return checked(() -> WorkerAnswers.outcome(answer.outcome(), shards, shard));
    }

    @Override
    public ModelMeasurements measure(EvaluationListener listener) {
        Answer answer = call(Request.of(WorkerProtocol.MEASURE), listener);
        return checked(() -> WorkerAnswers.measurements(answer.measured(), shards.examples()));
    }

    @Override
    public AnalysisPhase.Findings findings(AttackResults attacks, ModelMeasurements measured, EvaluationListener listener) {
        Answer answer = call(new Request(WorkerProtocol.FINDINGS, null, null, null, attacks, measured), listener);
        int draws = draws();
        return checked(() -> WorkerAnswers.findings(answer.findings(), attacks, plan, draws));
    }

    private interface Check<T> {
        T get() throws WorkerAnswers.Broken;
    }

    private <T> T checked(Check<T> check) {
        try {
            return check.get();
        } catch (WorkerAnswers.Broken e) {
            throw broken();
        }
    }

    private ModelFailure broken() {
        return fail(ModelFailure.Cause.PROTOCOL, null);
    }

    /**
     * Sends a request and reads its answer, relaying progress to {@code listener}, under the thread's deadline; an
     * error code becomes its failure (the worker stays for the next request, as after any failed pass).
     */
    private Answer call(Request request, EvaluationListener listener) {
        return call(request, listener, new Path[0]);
    }

    private synchronized Answer call(Request request, EvaluationListener listener, Path[] payload) {
        if (failed != null) {
            throw failed;
        }
        Torch.checkNotStopping(); // the process is stopping: no new work (the worker dies with it)
        Deadline deadline = Deadline.current();
        long limit = worker.sandbox().callLimit().toNanos();
        long wait = deadline == null ? limit : Math.min(limit, deadline.remainingNanos());
        String described = deadline == null || deadline.remainingNanos() > limit
                ? worker.sandbox().callLimit().toSeconds() + " s (the sandbox's call limit)" : deadline.describe();
        ScheduledFuture<?> watchdog = Worker.WATCHDOG.schedule(() -> worker.kill(ModelFailure.Cause.TIME_LIMIT,
                "limit " + described), Math.max(0, wait), TimeUnit.NANOSECONDS);
        try {
            out.write(WorkerProtocol.JSON.writeValueAsString(request).getBytes(StandardCharsets.UTF_8));
            out.write('\n');
            for (Path file : payload) {
                Files.copy(file, out);
            }
            out.flush();
            for (int progress = 0; ; progress++) {
                String line = WorkerAnswers.readLine(in);
                if (line == null) {
                    throw new IOException("the worker closed its socket");
                }
                Answer answer = WorkerAnswers.parse(line);
                if (answer.progress() != null) {
                    WorkerProtocol.Progress p = WorkerAnswers.progress(answer.progress(), progress);
                    if (listener != null) {
                        listener.onStage(p.stage(), p.done(), p.total());
                    }
                    continue;
                }
                if (answer.error() != null) {
                    ModelFailure.Cause cause = ModelFailure.Cause.ofCode(answer.error());
                    if (cause == null || cause == ModelFailure.Cause.TIME_LIMIT || cause == ModelFailure.Cause.PROTOCOL
                            || cause == ModelFailure.Cause.CRASHED || cause == ModelFailure.Cause.UNAVAILABLE) {
                        throw broken(); // causes only this side can know
                    }
                    // the evaluation fails with its first failed request: nothing more is asked of the model
                    throw fail(cause, cause == ModelFailure.Cause.MEMORY_LIMIT ? worker.cap() : null);
                }
                if (!watchdog.cancel(false)) {
                    // the deadline passed as the answer came: the worker is being killed, and the work was late
                    throw fail(ModelFailure.Cause.TIME_LIMIT, "limit " + described);
                }
                return answer;
            }
        } catch (WorkerAnswers.Broken e) {
            throw broken();
        } catch (IOException e) {
            Torch.checkNotStopping(); // the worker went with this process: stopped, not failed
            throw fail(worker.killedFor() != null ? worker.killedFor() : ModelFailure.Cause.CRASHED,
                    worker.killedFor() != null ? worker.killedDetail() : worker.exit());
        } finally {
            watchdog.cancel(false);
        }
    }

    private synchronized ModelFailure fail(ModelFailure.Cause cause, String detail) {
        if (failed == null) {
            failed = new ModelFailure(cause, detail);
            worker.kill(cause, detail);
        }
        return failed;
    }

    @Override
    public void close() {
        worker.close();
    }
}
