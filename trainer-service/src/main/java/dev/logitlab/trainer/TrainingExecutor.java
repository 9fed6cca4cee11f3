package dev.logitlab.trainer;

import dev.logitlab.core.checkpoint.Checkpoint;
import dev.logitlab.core.checkpoint.CheckpointManifest;
import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.data.TrainTestSplit;
import dev.logitlab.core.train.Training;
import dev.logitlab.core.train.TrainingConfig;
import dev.logitlab.core.train.TrainingListener;
import dev.logitlab.core.train.TrainingProgress;
import dev.logitlab.events.CheckpointCreated;
import dev.logitlab.events.RunEvent;
import dev.logitlab.events.RunSpec;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import dev.logitlab.service.ServiceMetrics;

/**
 * Trains submitted runs one at a time (libtorch's autograd recorder is one per JVM; scale out with replicas),
 * behind a bounded queue. Publishes submitted/progress/completed/failed run events and a checkpoint event
 * per epoch; checkpoints go to {@code <store>/runs/<runId>/epoch-NNN/}.
 */
@ApplicationScoped
public class TrainingExecutor {

    private static final Logger LOG = Logger.getLogger(TrainingExecutor.class);
    private static final long PROGRESS_INTERVAL_NANOS = 500_000_000L;

    @ConfigProperty(name = "logitlab.store.root")
    Path storeRoot;

    @ConfigProperty(name = "logitlab.data-dir")
    Optional<Path> dataDir;

    @ConfigProperty(name = "logitlab.trainer.queue-capacity", defaultValue = "16")
    int queueCapacity;

    @ConfigProperty(name = "logitlab.worker.spec")
    Optional<String> workerSpec;

    @Inject
    RunPublisher publisher;

    @Inject
    RunJournal journal;

    @Inject
    RunLeases leases;

    @Inject
    dev.logitlab.trainer.external.ExternalCheckpoints uploads;

    @Inject
    MeterRegistry metrics;

    static final String OWNER_SERVICE = "service";
    static final String OWNER_WORKER = "worker";

    private final Map<String, Run> runs = new ConcurrentHashMap<>();
    private final Map<String, TrainTestSplit> datasets = new ConcurrentHashMap<>();
    private ThreadPoolExecutor executor;
    private ScheduledExecutorService adopter;

    void start(@Observes StartupEvent event) {
        executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queueCapacity),
                r -> new Thread(r, "trainer"));
        if (workerSpec.filter(s -> !s.isBlank()).isEmpty()) {
            recover();
            // a replica that died leaves its runs' leases to expire: look for such runs as often as one can expire
            adopter = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "run-adopter"));
            adopter.scheduleWithFixedDelay(() -> recover(false), leases.ttl().toMillis(), leases.ttl().toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    /**
     * At start, and then every lease period: every run of the store this replica does not know yet is listed;
     * finished ones announce any checkpoint the broker never acknowledged, unfinished ones resume from their last
     * checkpoint (which announces them too) on the one replica that takes their {@link RunLeases lease}.
     * Runs of training Jobs are their workers' to recover. All of it is one task on the training thread: a store
     * with more runs than the submission queue holds must not stop the trainer from starting.
     */
    void recover() {
        recover(true);
    }

    /** {@code startUp}: also announce uploads stored before a crash (later, each upload request announces its own). */
    synchronized void recover(boolean startUp) {
        List<Runnable> announcements = new ArrayList<>();
        List<Runnable> resumptions = new ArrayList<>();
        List<String> resumed = new ArrayList<>();
        for (RunJournal.Entry entry : journal.all()) {
            if (!OWNER_SERVICE.equals(entry.owner()) || runs.containsKey(entry.runId())) {
                continue;
            }
            boolean unfinished = entry.status() == Run.Status.QUEUED || entry.status() == Run.Status.RUNNING;
            if (unfinished && !leases.acquire(entry.runId())) {
                continue; // another live replica trains it
            }
            TrainingConfig config;
            try {
                config = RunSpecs.trainingConfig(entry.spec());
            } catch (RuntimeException e) {
                leases.release(entry.runId());
                journal.setAside(entry.runId(), "its spec no longer checks: " + e.getMessage());
                continue;
            }
            Run run = new Run(entry.runId(), entry.spec(), entry.configHash(), entry.submittedAt(), OWNER_SERVICE);
            run.submittedBy(entry.submittedBy());
            runs.put(run.getRunId(), run);
            if (unfinished) {
                LOG.infof("resuming run %s", run.getRunId());
                resumed.add(run.getRunId());
                resumptions.add(() -> train(run, config));
            } else {
                if (entry.status() == Run.Status.FAILED) {
                    run.fail(entry.error());
                } else {
                    run.status(entry.status());
                }
                announcements.add(() -> announcePending(run));
            }
        }
        if (startUp) {
            announcements.add(this::announcePendingUploads);
        }
        if (announcements.isEmpty() && resumptions.isEmpty()) {
            return; // the periodic look found nothing new: no task on the training thread
        }
        try {
            executor.execute(() -> {
                for (Runnable step : concat(announcements, resumptions)) {
                    try {
                        step.run();
                    } catch (RuntimeException e) {
                        LOG.warnf(e, "a recovered run could not be resumed or announced");
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.warnf("the training queue is full; %d runs to resume wait for the next look", resumed.size());
            resumed.forEach(runId -> {
                runs.remove(runId);
                leases.release(runId);
            });
        }
    }

    private static List<Runnable> concat(List<Runnable> first, List<Runnable> second) {
        List<Runnable> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    @PreDestroy
    void stop() {
        if (adopter != null) {
            adopter.shutdownNow();
        }
        runs.values().forEach(Run::requestCancel);
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    /** Queues a normalised spec; throws {@link RejectedExecutionException} when the queue is full. */
    public Run submit(RunSpec spec, String submittedBy) {
        return submit("run-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12), spec, OWNER_SERVICE,
                submittedBy);
    }

    /**
     * Queues a run under a given id ({@code owner} {@code worker}: a training Job's worker, which gets its id from
     * the controller and, restarted, resumes the same run).
     */
    public Run submit(String runId, RunSpec spec, String owner) {
        return submit(runId, spec, owner, null);
    }

    private Run submit(String runId, RunSpec spec, String owner, String submittedBy) {
        TrainingConfig config = RunSpecs.trainingConfig(spec);
        Run run = new Run(runId, spec, config.configHash(), java.time.Instant.now(), owner);
        run.submittedBy(submittedBy);
        runs.put(runId, run);
        if (OWNER_SERVICE.equals(owner)) {
            leases.acquire(runId); // before the journal shows it queued, so no other replica adopts it
        }
        save(run);
        try {
            executor.execute(() -> train(run, config));
        } catch (RejectedExecutionException e) {
            runs.remove(runId);
            journal.forget(runId);
            leases.release(runId);
            throw e;
        }
        ServiceMetrics.RUNS_SUBMITTED.counter(metrics).increment();
        publisher.run(RunEvent.submitted(runId, run.getConfigHash(), spec));
        return run;
    }

    public Optional<Run> find(String runId) {
        return Optional.ofNullable(runs.get(runId));
    }

    public Collection<Run> all() {
        return new ArrayList<>(runs.values());
    }

    /** Asks a run to stop; a queued run never starts, a running one stops after its current batch. */
    public Optional<Run> cancel(String runId) {
        Optional<Run> run = find(runId);
        run.ifPresent(Run::requestCancel);
        return run;
    }

    private void save(Run run) {
        leases.fence(run.getRunId());
        journal.save(new RunJournal.Entry(run.getRunId(), run.getSpec(), run.getConfigHash(), run.getSubmittedAt(),
                run.getOwner(), run.getStatus(), run.getError(), run.getSubmittedBy()));
    }

    private void train(Run run, TrainingConfig config) {
        try {
            trainHeld(run, config);
        } catch (RunLeases.Lost e) {
            // another replica adopted the run while this one was paused: it trains it, and this one writes nothing
            LOG.warnf("run %s stopped here: %s", run.getRunId(), e.getMessage());
        } finally {
            leases.release(run.getRunId());
        }
    }

    private void trainHeld(Run run, TrainingConfig config) {
        if (run.cancelRequested()) {
            save(run);
            publisher.run(RunEvent.failed(run.getRunId(), run.getConfigHash(), config.seed(), "cancelled"));
            return;
        }
        run.status(Run.Status.RUNNING);
        save(run);
        try {
            announcePending(run);
            TrainTestSplit data = datasets.computeIfAbsent(config.dataset(), name -> Datasets.load(name, dataDir.orElse(null)));
            Path runDir = journal.runDir(run.getRunId());
            Training.Result result = new Training(config, run.getRunId(), runDir, new Listener(run, config)).run(data);
            if (result.cancelled()) {
                run.status(Run.Status.CANCELLED);
                save(run);
                publisher.run(RunEvent.failed(run.getRunId(), run.getConfigHash(), config.seed(), "cancelled"));
            } else {
                run.status(Run.Status.SUCCEEDED);
                save(run);
                publisher.run(RunEvent.completed(run.getRunId(), run.getConfigHash(), config.seed(),
                        result.lastCheckpoint().manifest().checkpointId()));
            }
        } catch (RunLeases.Lost e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.errorf(e, "run %s failed", run.getRunId());
            ServiceMetrics.RUNS_FAILED.counter(metrics).increment();
            run.fail(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            save(run);
            publisher.run(RunEvent.failed(run.getRunId(), run.getConfigHash(), config.seed(), run.getError()));
        }
    }

    /** Announces the uploaded checkpoints whose upload stopped between storing and the broker's ack. */
    private void announcePendingUploads() {
        for (CheckpointCreated upload : uploads.unannounced()) {
            LOG.infof("announcing uploaded %s, which the broker never acknowledged", upload.checkpointId());
            if (publisher.checkpoint(upload, () -> false)) {
                uploads.markAnnounced(upload);
            }
        }
    }

    /** Announces the run's checkpoints that the broker never acknowledged (a restart, a broker outage). */
    private void announcePending(Run run) {
        for (Checkpoint checkpoint : Checkpoint.all(journal.runDir(run.getRunId()))) {
            if (journal.announced(run.getRunId(), checkpoint.manifest().epoch())) {
                run.checkpoint(view(checkpoint, uri(checkpoint)));
            } else {
                LOG.infof("announcing %s, which the broker never acknowledged", checkpoint.manifest().checkpointId());
                announce(run, checkpoint);
            }
        }
    }

    /** Publishes a checkpoint event and, once the broker has it, marks it announced (the outbox). */
    private void announce(Run run, Checkpoint checkpoint) {
        leases.fence(run.getRunId());
        CheckpointManifest m = checkpoint.manifest();
        CheckpointManifest.Metrics metrics = m.metrics();
        CheckpointCreated event = new CheckpointCreated(CheckpointCreated.SCHEMA_VERSION, run.getRunId(),
                m.checkpointId(), m.epoch(), uri(checkpoint), m.parameters().sha256(), m.configHash(), m.seed(),
                m.dataset(), m.model().architecture(), m.defense().spec(), run.getSpec().evaluation(),
                new CheckpointCreated.Metrics(metrics.cleanAccuracy(), metrics.trainLoss(),
                        metrics.trainImagesPerSecond(), metrics.meanLogitNorm()));
        if (publisher.checkpoint(event, run::cancelRequested)) {
            journal.markAnnounced(run.getRunId(), m.epoch());
            ServiceMetrics.CHECKPOINTS_PUBLISHED.counter(this.metrics).increment();
        }
        run.checkpoint(view(checkpoint, event.uri()));
    }

    private String uri(Checkpoint checkpoint) {
        return "file:" + storeRoot.toAbsolutePath().normalize()
                .relativize(checkpoint.directory().toAbsolutePath().normalize());
    }

    private static Run.CheckpointView view(Checkpoint checkpoint, String uri) {
        CheckpointManifest m = checkpoint.manifest();
        return new Run.CheckpointView(m.checkpointId(), m.epoch(), uri, m.parameters().sha256(), m.metrics().cleanAccuracy());
    }

    /** Turns core's training callbacks into run state and events. */
    private final class Listener implements TrainingListener {
        private final Run run;
        private final TrainingConfig config;
        private long lastPublished;

        Listener(Run run, TrainingConfig config) {
            this.run = run;
            this.config = config;
        }

        @Override
        public void onProgress(TrainingProgress p) {
            RunEvent.Progress progress = new RunEvent.Progress(p.epoch(), p.epochs(), p.batch(), p.batches(), p.loss(),
                    p.accuracy(), p.imagesPerSecond(), p.fraction());
            run.progress(progress);
            long now = System.nanoTime();
            if (now - lastPublished > PROGRESS_INTERVAL_NANOS || p.batch() == p.batches()) {
                lastPublished = now;
                leases.fence(run.getRunId());
                publisher.run(RunEvent.progress(run.getRunId(), run.getConfigHash(), config.seed(), progress));
            }
        }

        @Override
        public void onCheckpoint(Checkpoint checkpoint) {
            announce(run, checkpoint);
        }

        @Override
        public boolean cancelled() {
            return run.cancelRequested();
        }
    }
}
