package dev.logitlab.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.logitlab.core.checkpoint.CheckpointIntegrityException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store never reads outside its root: not by a path that climbs out, not through a symbolic link. */
class CheckpointStoreTest {

    @TempDir
    Path dir;

    @Test
    void aSymbolicLinkOutOfTheStoreIsRefusedAndOneInsideIsFollowed() throws Exception {
        CheckpointStore store = new CheckpointStore();
        store.root = Files.createDirectories(dir.resolve("store"));
        Path outside = Files.createDirectories(dir.resolve("secrets/epoch-001"));
        Files.createDirectories(store.root.resolve("runs"));
        Files.createSymbolicLink(store.root.resolve("runs/evil"), outside.getParent());

        var e = assertThrows(CheckpointIntegrityException.class, () -> store.resolve("file:runs/evil/epoch-001"));
        assertTrue(e.getMessage().contains("symbolic link") && e.getMessage().contains("outside the store"), e.getMessage());
        e = assertThrows(CheckpointIntegrityException.class, () -> store.resolve("file:../secrets/epoch-001"));
        assertTrue(e.getMessage().contains("outside the store"), e.getMessage());

        Path real = Files.createDirectories(store.root.resolve("runs/real/epoch-001"));
        Files.createSymbolicLink(store.root.resolve("runs/alias"), real.getParent());
        assertEquals(real.toRealPath(), store.resolve("file:runs/alias/epoch-001"));
        assertEquals(store.root.resolve("runs/not-yet"), store.resolve("file:runs/not-yet"), "a missing path is not refused");
    }
}
