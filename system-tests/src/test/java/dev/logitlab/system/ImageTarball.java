package dev.logitlab.system;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** An image tarball as Jib writes it (Docker's {@code docker save} layout). */
record ImageTarball(Path tarball, List<String> tags, JsonNode config, List<String> layers) {

    static ImageTarball read(Path tarball) throws Exception {
        JsonNode manifest = new ObjectMapper().readTree(entry(tarball, "manifest.json")).get(0);
        List<String> tags = new ArrayList<>();
        manifest.get("RepoTags").forEach(t -> tags.add(t.asText()));
        List<String> layers = new ArrayList<>();
        manifest.get("Layers").forEach(l -> layers.add(l.asText()));
        return new ImageTarball(tarball, tags, new ObjectMapper().readTree(entry(tarball, manifest.get("Config").asText())), layers);
    }

    List<String> diffIds() {
        List<String> ids = new ArrayList<>();
        config.get("rootfs").get("diff_ids").forEach(d -> ids.add(d.asText()));
        return ids;
    }

    Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        config.get("config").get("Env").forEach(e -> {
            String[] kv = e.asText().split("=", 2);
            env.put(kv[0], kv[1]);
        });
        return env;
    }

    /** Extracts the layers in order, with their modes and owners, as a container runtime would. */
    Path unpack(Path root) throws Exception {
        Files.createDirectories(root);
        for (String layer : layers) {
            try (TarArchiveInputStream outer = new TarArchiveInputStream(Files.newInputStream(tarball))) {
                for (TarArchiveEntry e = outer.getNextEntry(); e != null; e = outer.getNextEntry()) {
                    if (e.getName().equals(layer)) {
                        extract(new TarArchiveInputStream(new GZIPInputStream(outer)), root);
                        break;
                    }
                }
            }
        }
        return root;
    }

    private static void extract(TarArchiveInputStream layer, Path root) throws Exception {
        for (TarArchiveEntry e = layer.getNextEntry(); e != null; e = layer.getNextEntry()) {
            Path target = root.resolve(e.getName()).normalize();
            assertTrue(target.startsWith(root), e.getName());
            if (e.isDirectory()) {
                Files.createDirectories(target);
            } else {
                Files.createDirectories(target.getParent());
                Files.copy(layer, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(mode(e.getMode())));
            Files.setAttribute(target, "unix:uid", (int) e.getLongUserId());
            Files.setAttribute(target, "unix:gid", (int) e.getLongGroupId());
        }
    }

    private static String mode(int mode) {
        StringBuilder s = new StringBuilder();
        for (int shift = 6; shift >= 0; shift -= 3) {
            int bits = (mode >> shift) & 7;
            s.append((bits & 4) != 0 ? 'r' : '-').append((bits & 2) != 0 ? 'w' : '-').append((bits & 1) != 0 ? 'x' : '-');
        }
        return s.toString();
    }

    private static byte[] entry(Path tarball, String name) throws Exception {
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tarball))) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (e.getName().equals(name)) {
                    return in.readAllBytes();
                }
            }
        }
        throw new AssertionError(name + " is not in " + tarball);
    }
}
