package dev.logitlab.trainer;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.events.CheckpointCreated;
import dev.logitlab.events.Roles;
import dev.logitlab.events.Topics;
import dev.logitlab.service.InvalidFieldException;
import dev.logitlab.service.StreamRecords;
import dev.logitlab.trainer.external.ExternalCheckpoints;
import dev.logitlab.trainer.external.Upload;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * {@code logitlab.announcements} → {@code logitlab.checkpoints}: a producer outside the services (a training Job that
 * shares the store) announces a TorchScript file it wrote under the store's {@code inbox/}, with its bearer token in
 * the {@value Topics#CLAIM_HEADER} header. The token is the producer's identity, as on REST: only the run's owner (or
 * an operator) may add to it, a run id in a namespace is its subject's, and the bytes must be the announced ones. The
 * file is then stored and announced exactly as an upload is; anything else goes to the dead-letter topic with the
 * reason, and no other run, report or file changes. The attack service reads only what the trainer wrote.
 */
@ApplicationScoped
public class Announcements {

    private static final Logger LOG = Logger.getLogger(Announcements.class);
    /** Where producers put what they announce: a folder of the store that holds nothing anyone else relies on. */
    static final String INBOX = "inbox/";

    @Inject
    JWTParser tokens;

    @Inject
    ExternalCheckpoints checkpoints;

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "logitlab.store.root")
    Path storeRoot;

    @Inject
    @org.eclipse.microprofile.reactive.messaging.Channel("trainer-dead-letters")
    org.eclipse.microprofile.reactive.messaging.Emitter<String> deadLetters;

    @Inject
    RunPublisher publisher;

    @Inject
    SubmissionLimits limits;

    @Inject
    SubmissionRate rate;

    @Inject
    ObjectMapper json;

    @Incoming("announcements")
    @Blocking
    public void announce(ConsumerRecord<String, String> record) {
        try {
            take(record);
        } catch (RuntimeException e) {
            LOG.warnf("announcement at %s-%d@%d refused: %s", record.topic(), record.partition(), record.offset(),
                    StreamRecords.reason(e));
            // never thrown on: a failure escaping here would stop the channel, and every tenant's announcements
            for (int attempt = 1; ; attempt++) {
                try {
                    deadLetter(record, e);
                    return;
                } catch (RuntimeException unsent) {
                    if (attempt == 5) {
                        LOG.errorf("announcement at %s-%d@%d dropped, its dead letter not taken: %s", record.topic(),
                                record.partition(), record.offset(), unsent.getMessage());
                        return;
                    }
                    sleep(attempt * 2_000L);
                }
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void take(ConsumerRecord<String, String> record) {
        JsonWebToken claim = claim(record);
        rate.admit(claim.getName()); // as for an upload: each announcement costs a copy and a check
        CheckpointCreated event = StreamRecords.read(json, record.value(), CheckpointCreated.class);
        if (!event.torchScript() || !event.runId().equals(record.key())) {
            throw new IllegalArgumentException("an outside announcement is a TorchScript file's, keyed by its runId");
        }
        if (!event.uri().startsWith("file:" + INBOX)) {
            throw new InvalidFieldException("uri", "an outside announcement's file lies under the store's " + INBOX);
        }
        RunSpecs.plan(event.evaluation());
        limits.check(event.evaluation());
        Upload upload = new Upload(event.runId(), event.epoch(), event.dataset(), event.defense(), event.seed(),
                event.evaluation());
        if (!upload.checkpointId().equals(event.checkpointId())) {
            throw new InvalidFieldException("checkpointId", "checkpointId must be " + upload.checkpointId());
        }
        Path file = inbox(event.uri());
        ExternalCheckpoints.Stored stored;
        // not through a link: a file swapped for one after the check above would otherwise be read
        try (InputStream bytes = java.nio.channels.Channels.newInputStream(Files.newByteChannel(file,
                java.nio.file.StandardOpenOption.READ, java.nio.file.LinkOption.NOFOLLOW_LINKS))) {
            stored = checkpoints.store(upload, bytes, limits.checkpointBytes(), claim.getName(),
                    claim.getGroups().contains(Roles.OPERATOR), event.sha256());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new InvalidFieldException("uri", "no file at " + event.uri() + " in the store");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + event.uri(), e);
        } catch (jakarta.ws.rs.ClientErrorException e) {
            throw new IllegalArgumentException(e.getMessage(), e); // a 403, 409 or 413 as an upload would get
        }
        try {
            Files.deleteIfExists(file); // filed under external/: the inbox holds only what is still to be taken
        } catch (IOException e) {
            LOG.debugf("%s stays in the inbox: %s", event.uri(), e.getMessage());
        }
        if (!CheckpointResource.announceOnce(publisher, checkpoints, stored.manifest().announcement())) {
            throw new IllegalStateException("stored " + event.checkpointId() + " but the broker did not acknowledge its "
                    + "announcement; the trainer announces it when it next starts");
        }
        LOG.infof("%s announced %s", claim.getName(), event.checkpointId());
    }

    /** The announced file: a plain file right in the store's inbox (no folder, no link on the way). */
    private Path inbox(String uri) {
        Path root = storeRoot.toAbsolutePath().normalize();
        Path file = root.resolve(uri.substring("file:".length())).normalize();
        try {
            if (!root.resolve(INBOX).equals(file.getParent()) || Files.isSymbolicLink(file.getParent())
                    || !file.toRealPath().startsWith(root.toRealPath().resolve(INBOX))
                    || !Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new InvalidFieldException("uri", "the announced file is not a file under the store's " + INBOX);
            }
            return file;
        } catch (IOException e) {
            throw new InvalidFieldException("uri", "no file at " + uri + " in the store");
        }
    }

    /**
     * The record for {@code logitlab.dlq.trainer-service} with the reason, as the other services write theirs, bounded,
     * and without the producer's token: a dead letter is read by operators, never a way to borrow someone's identity.
     */
    private void deadLetter(ConsumerRecord<String, String> record, RuntimeException reason) {
        org.apache.kafka.common.header.internals.RecordHeaders headers = new org.apache.kafka.common.header.internals.RecordHeaders();
        headers.add("dead-letter-reason", StreamRecords.reason(reason).getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-cause", reason.getClass().getName().getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-topic", record.topic().getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-partition", Integer.toString(record.partition()).getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-offset", Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8));
        String value = StreamRecords.deadLetterValue(record.value());
        if (value != null && value.length() < record.value().length()) {
            headers.add("dead-letter-truncated", Integer.toString(record.value().length()).getBytes(StandardCharsets.UTF_8));
        }
        String key = StreamRecords.deadLetterKey(record.key());
        var metadata = io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(key).withHeaders(headers).build();
        var sent = new java.util.concurrent.CompletableFuture<Void>();
        deadLetters.send(org.eclipse.microprofile.reactive.messaging.Message.of(value == null ? "" : value)
                .addMetadata(metadata).withAck(() -> {
                    sent.complete(null);
                    return java.util.concurrent.CompletableFuture.completedFuture(null);
                }).withNack(error -> {
                    sent.completeExceptionally(error);
                    return java.util.concurrent.CompletableFuture.completedFuture(null);
                }));
        try {
            sent.get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted dead-lettering an announcement", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // not acknowledged: the record is not committed past, and is read again
            throw new IllegalStateException("cannot dead-letter an announcement: " + e.getMessage(), e);
        }
    }

    /** The producer's verified token: the stack's issuer, unexpired, a submitter's or an operator's. */
    private JsonWebToken claim(ConsumerRecord<String, String> record) {
        Header header = record.headers().lastHeader(Topics.CLAIM_HEADER);
        if (header == null || header.value() == null || header.value().length > 8192) {
            throw new IllegalArgumentException("an outside announcement carries its producer's token in the "
                    + Topics.CLAIM_HEADER + " header");
        }
        JsonWebToken token;
        try {
            token = tokens.parse(new String(header.value(), StandardCharsets.UTF_8));
        } catch (ParseException e) {
            throw new IllegalArgumentException("the " + Topics.CLAIM_HEADER + " token is not valid here: "
                    + e.getMessage());
        }
        if (!token.getGroups().contains(Roles.SUBMITTER) && !token.getGroups().contains(Roles.OPERATOR)) {
            throw new IllegalArgumentException("the " + Topics.CLAIM_HEADER + " token is not a submitter's");
        }
        return token;
    }
}
