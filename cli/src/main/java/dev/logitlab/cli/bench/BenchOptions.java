package dev.logitlab.cli.bench;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options every benchmark takes: its figures are quoted for 2 libtorch threads (the peers get as many), so that
 * is the default here rather than one per core.
 */
final class BenchOptions {

    @Option(names = "--threads", defaultValue = "2", description = "libtorch threads, both sides where a peer runs "
            + "(default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--data-dir", description = "where to look for data sets first")
    Path dataDir;
}
