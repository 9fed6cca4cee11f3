package dev.logitlab.core.evaluation;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.logitlab.core.Json;
import dev.logitlab.events.ShardOutcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * The shards of one evaluation that are done, one JSON line each, written to disk before the next shard starts: an
 * evaluation cut short (a crash, a kill, a power cut) resumes with only what is missing, and, every shard being
 * seeded by the plan alone, ends with the report an uninterrupted run gives. The file is named by the evaluation's
 * identity (model bytes, data set, plan), so another model or plan never reads it; a line cut off by the crash is
 * ignored and its shard runs again.
 */
public final class ShardJournal implements AutoCloseable {

    private final Path file;
    private final Map<Integer, ShardOutcome> done = new HashMap<>();
    private final FileChannel out;

    private ShardJournal(Path file) {
        this.file = file;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    read(line);
                }
            }
            out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the shard journal " + file, e);
        }
    }

    /** The journal of the evaluation {@code identity} names (any string; it is hashed) in {@code directory}. */
    public static ShardJournal open(Path directory, String identity) {
        String name = dev.logitlab.core.checkpoint.Sha256.of(identity.getBytes(StandardCharsets.UTF_8)).substring(0, 16);
        return new ShardJournal(directory.resolve("evaluation-" + name + ".jsonl"));
    }

    private void read(String line) {
        try {
            ShardOutcome outcome = Json.MAPPER.readValue(line, ShardOutcome.class);
            if (outcome.robust() != null) {
                done.put(outcome.shard(), outcome);
            }
        } catch (JsonProcessingException e) {
            // the last line of a run that died while writing it: that shard runs again
        }
    }

    public Path file() {
        return file;
    }

    /** The outcomes journalled so far, by shard index. */
    public Map<Integer, ShardOutcome> done() {
        return Map.copyOf(done);
    }

    /** Appends a finished shard and forces it to disk before returning. */
    public synchronized void record(ShardOutcome outcome) {
        try {
            byte[] line = (Json.MAPPER.writeValueAsString(outcome) + "\n").getBytes(StandardCharsets.UTF_8);
            ByteBuffer buffer = ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            out.force(false);
            done.put(outcome.shard(), outcome);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the shard journal " + file, e);
        }
    }

    /** Removes the journal: the evaluation finished and its report is written. */
    public void delete() {
        close();
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
