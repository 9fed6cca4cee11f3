package dev.logitlab.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the data sets are and how many libtorch threads to use: the options every command that computes takes. */
final class RuntimeOptions {

    @Option(names = "--data-dir", description = "where to look for data sets first (default: $LOGITLAB_DATA)")
    Path dataDir;

    @Option(names = "--threads", defaultValue = "0", description = "libtorch threads (0 = one per core)")
    int threads;
}
