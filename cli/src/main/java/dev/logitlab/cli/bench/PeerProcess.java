package dev.logitlab.cli.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A script of {@code bench/pytorch} run with a Python that has PyTorch, two threads, its output returned. */
final class PeerProcess {

    private PeerProcess() {
    }

    static String run(Path repository, String python, List<String> args) throws Exception {
        Path dir = repository.resolve("bench/pytorch");
        if (!Files.isExecutable(Path.of(python))) {
            throw new IllegalStateException(python + " is missing: the peers need Python 3 with PyTorch "
                    + "(Debian: apt-get install python3-torch)");
        }
        List<String> command = new ArrayList<>(List.of(python));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().put("OMP_NUM_THREADS", "2");
        Process p = builder.start();
        String output = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
        }
        return output.strip();
    }
}
