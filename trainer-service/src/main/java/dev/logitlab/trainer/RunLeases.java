package dev.logitlab.trainer;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Which trainer replica trains an unfinished run: the one holding its lease, a file {@code runs/<runId>/lease}
 * beside {@code run.json} in the shared store ({@code <holder> <expiry in ms>}). A replica takes the lease when it
 * queues a run, renews it every third of {@code logitlab.trainer.lease} while the run is queued or training, and
 * drops it when the run ends; a replica that dies lets it expire, and another replica adopts the run.
 * <p>
 * Expiry is wall-clock time on two machines, and a replica can pause (a long GC, a frozen VM) past its lease, so the
 * lease alone cannot keep two replicas from one run. Each taking therefore also creates the run's next fencing token,
 * {@code runs/<runId>/fence/<n>} (an atomic create: each number is taken once), and the holder {@link #fence checks}
 * before every effect on the run (its journal, its events, each checkpoint) that no later token exists. A holder that
 * wakes from a pause finds the adopter's token and stops without another write; renewal never overwrites another
 * holder's lease.
 */
@ApplicationScoped
public class RunLeases {

    private static final Logger LOG = Logger.getLogger(RunLeases.class);

    @ConfigProperty(name = "logitlab.trainer.lease", defaultValue = "PT60S")
    Duration ttl;

    @Inject
    RunJournal journal;

    /** This process: unique across replicas and restarts. */
    final String holder = System.getenv().getOrDefault("HOSTNAME", "trainer") + "-"
            + UUID.randomUUID().toString().substring(0, 8);
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    /** The fencing token this process took with each lease it holds. */
    private final java.util.Map<String, Long> tokens = new ConcurrentHashMap<>();
    private ScheduledExecutorService renewer;

    /**
     * Takes the run's lease when it is free, expired or already ours; false when another live replica holds it, or
     * took it at the same time. The token comes first, then the lease, then both are read back: of two replicas that
     * both saw the lease expired, the one whose token is not the last, or whose lease was overwritten, backs off, so a
     * lease is never held by one replica while another holds the last token (both may back off: the next look retries).
     */
    public synchronized boolean acquire(String runId) {
        Path lease = lease(runId);
        try {
            Files.createDirectories(lease.getParent());
            String[] current = read(lease);
            boolean free = current == null || current[0].equals(holder)
                    || Long.parseLong(current[1]) < System.currentTimeMillis();
            if (!free) {
                return false;
            }
            long token = nextToken(runId);
            write(lease);
            String[] now = read(lease);
            if (now == null || !now[0].equals(holder) || highest(fences(runId)) != token) {
                return false; // another replica took it meanwhile: its token or its lease is the later
            }
            tokens.put(runId, token);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("cannot take the lease of run %s: %s", runId, e.getMessage());
            return false;
        }
        held.add(runId);
        startRenewing();
        return true;
    }

    /** A later replica took the run: this one must stop without another effect on it. */
    public static final class Lost extends RuntimeException {
        Lost(String message) {
            super(message);
        }
    }

    /**
     * Throws {@link Lost} when this process took a lease on the run and somebody has since taken a later token.
     * Called before every effect on the run's files and events; runs this process never leased (a finished run whose
     * checkpoints it announces again, a training Job's run) have only idempotent effects, and pass.
     */
    public void fence(String runId) {
        Long mine = tokens.get(runId);
        if (mine == null) {
            return;
        }
        long highest;
        try {
            highest = highest(fences(runId));
        } catch (IOException e) {
            throw new Lost("cannot read the fencing tokens of run " + runId + ": " + e.getMessage());
        }
        if (highest != mine) {
            held.remove(runId);
            throw new Lost("run " + runId + " was adopted by another replica (fencing token " + highest + " after "
                    + "this replica's " + mine + "): a pause outlived the lease");
        }
    }

    private static long highest(Path fences) throws IOException {
        try (var names = Files.list(fences)) {
            return names.map(f -> f.getFileName().toString()).filter(n -> n.matches("\\d{1,18}"))
                    .mapToLong(Long::parseLong).max().orElse(0);
        } catch (NoSuchFileException e) {
            return 0;
        }
    }

    /** The next token of the run, taken atomically; the tokens before the previous one are no longer needed. */
    private long nextToken(String runId) throws IOException {
        Path fences = Files.createDirectories(fences(runId));
        while (true) {
            long highest = highest(fences);
            try {
                Files.createFile(fences.resolve(Long.toString(highest + 1)));
            } catch (FileAlreadyExistsException raced) {
                continue; // another replica took that number: the next is ours, and fences it
            }
            for (long old = highest - 1; old >= Math.max(1, highest - 8); old--) {
                Files.deleteIfExists(fences.resolve(Long.toString(old)));
            }
            return highest + 1;
        }
    }

    private Path fences(String runId) {
        return journal.runDir(runId).resolve("fence");
    }

    /** Gives the lease back: the run ended here (or was never queued). */
    public void release(String runId) {
        tokens.remove(runId);
        if (held.remove(runId)) {
            try {
                String[] current = read(lease(runId));
                if (current != null && current[0].equals(holder)) {
                    Files.deleteIfExists(lease(runId));
                }
            } catch (IOException e) {
                LOG.debugf("lease of %s not removed (it expires): %s", runId, e.getMessage());
            }
        }
    }

    /** How long a lease lasts unrenewed: how soon a dead replica's runs are adopted. */
    Duration ttl() {
        return ttl;
    }

    private synchronized void startRenewing() {
        if (renewer == null) {
            renewer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "lease-renewer");
                t.setDaemon(true);
                return t;
            });
            long period = Math.max(100, ttl.toMillis() / 3);
            renewer.scheduleAtFixedRate(this::renewAll, period, period, TimeUnit.MILLISECONDS);
        }
    }

    private void renewAll() {
        for (String runId : held) {
            try {
                String[] current = read(lease(runId));
                if (current != null && !current[0].equals(holder)) {
                    held.remove(runId); // taken over while this process was paused: its holder keeps it
                    LOG.warnf("lease of run %s is held by %s now; not renewing it", runId, current[0]);
                    continue;
                }
                write(lease(runId));
            } catch (IOException e) {
                LOG.warnf("cannot renew the lease of run %s: %s", runId, e.getMessage());
            }
        }
    }

    private Path lease(String runId) {
        return journal.runDir(runId).resolve("lease");
    }

    private String content() {
        return holder + " " + (System.currentTimeMillis() + ttl.toMillis());
    }

    private void write(Path lease) throws IOException {
        Path temporary = lease.resolveSibling("lease." + UUID.randomUUID() + ".tmp");
        Files.writeString(temporary, content());
        Files.move(temporary, lease, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** {holder, expiry}, or null when there is no lease or it cannot be read (then it counts as free). */
    private static String[] read(Path lease) throws IOException {
        try {
            String[] parts = Files.readString(lease, StandardCharsets.UTF_8).trim().split(" ");
            return parts.length == 2 && parts[1].matches("\\d{1,19}") ? parts : null;
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @PreDestroy
    synchronized void stop() {
        if (renewer != null) {
            renewer.shutdownNow();
        }
    }
}
