package dev.logitlab.core.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds and loads the data sets logitlab knows by name. Each is looked up, in order, in the given data
 * directory (or {@code $LOGITLAB_DATA}), in Debian's {@code /usr/share/datasets/<name>/}, and in
 * {@code ~/.cache/logitlab/<name>/}; a data set found nowhere is an error that says how to get it.
 */
public final class Datasets {

    public static final List<String> NAMES = List.of("fashion-mnist", "mnist", "cifar10", "synthetic");

    private static final String[] IDX_FILES = {
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
    private static final String[] CIFAR_FILES = {
        "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"};

    private Datasets() {
    }

    /**
     * The one name of a data set however it is spelled ({@code Fashion-MNIST}, {@code CIFAR-10}): what caches key by,
     * so that case variants of a name cannot load a copy each. Unknown names are refused as {@link #load} refuses them.
     */
    public static String canonical(String name) {
        String key = name == null ? "" : name.toLowerCase(Locale.ROOT);
        return switch (key) {
            case "fashion-mnist", "mnist", "cifar10", "synthetic" -> key;
            case "cifar-10" -> "cifar10";
            default -> throw new IllegalArgumentException("unknown dataset '" + name + "'; known: "
                    + String.join(", ", NAMES));
        };
    }

    /** Loads a data set by name; {@code dataDir} may be null. */
    public static TrainTestSplit load(String name, Path dataDir) {
        String key = name.toLowerCase(Locale.ROOT);
        try {
            return switch (key) {
                case "fashion-mnist", "mnist" -> loadIdx(key, locate(key, dataDir));
                case "cifar10", "cifar-10" -> loadCifar(locate("cifar10", dataDir));
                case "synthetic" -> new TrainTestSplit(SyntheticDataset.separable(2000, 0), SyntheticDataset.separable(500, 1));
                default -> throw new IllegalArgumentException("unknown dataset '" + name + "'; known: " + String.join(", ", NAMES));
            };
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dataset " + name + ": " + e.getMessage(), e);
        }
    }

    /** The directories searched for a data set, in order. */
    public static List<Path> searchPath(String name, Path dataDir) {
        List<Path> dirs = new ArrayList<>();
        Path explicit = dataDir != null ? dataDir
                : Optional.ofNullable(System.getenv("LOGITLAB_DATA")).map(Path::of).orElse(null);
        if (explicit != null) {
            dirs.add(explicit.resolve(name));
            dirs.add(explicit);
        }
        dirs.add(Path.of("/usr/share/datasets", name));
        dirs.add(Path.of(System.getProperty("user.home"), ".cache", "logitlab", name));
        return dirs;
    }

    /**
     * The directory a data set's files are read from, or null for one made in memory (synthetic): what a sandboxed
     * model's worker is given to read, and nothing else of this machine's files.
     */
    public static Path directory(String name, Path dataDir) {
        String key = name.toLowerCase(Locale.ROOT);
        return switch (key) {
            case "fashion-mnist", "mnist" -> locate(key, dataDir);
            case "cifar10", "cifar-10" -> locate("cifar10", dataDir);
            default -> null;
        };
    }

    private static Path locate(String name, Path dataDir) {
        List<Path> dirs = searchPath(name, dataDir);
        for (Path dir : dirs) {
            if (name.equals("cifar10")) {
                for (Path d : List.of(dir, dir.resolve("cifar-10-batches-bin"))) {
                    if (Files.isRegularFile(d.resolve(CIFAR_FILES[0]))) {
                        return d;
                    }
                }
            } else if (resolveIdx(dir, IDX_FILES[0]) != null) {
                return dir;
            }
        }
        throw new DatasetNotFoundException(name, dirs);
    }

    private static TrainTestSplit loadIdx(String name, Path dir) throws IOException {
        Dataset train = idx(name + "/train", dir, IDX_FILES[0], IDX_FILES[1]);
        Dataset test = idx(name + "/test", dir, IDX_FILES[2], IDX_FILES[3]);
        return new TrainTestSplit(train, test);
    }

    private static Dataset idx(String name, Path dir, String images, String labels) throws IOException {
        Path imageFile = resolveIdx(dir, images);
        Path labelFile = resolveIdx(dir, labels);
        if (imageFile == null || labelFile == null) {
            throw new IOException("missing " + (imageFile == null ? images : labels) + "(.gz) in " + dir);
        }
        Idx.Tensor x = Idx.read(imageFile);
        int[] y = Idx.labels(Idx.read(labelFile));
        return new Dataset(name, 1, x.dims()[1], x.dims()[2], 10, x.data(), y);
    }

    private static Path resolveIdx(Path dir, String base) {
        for (String candidate : List.of(base + ".gz", base, base.replace("-idx", ".idx"))) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    private static TrainTestSplit loadCifar(Path dir) throws IOException {
        Path[] train = new Path[5];
        for (int i = 0; i < 5; i++) {
            train[i] = dir.resolve(CIFAR_FILES[i]);
        }
        return new TrainTestSplit(Cifar10.read("train", train), Cifar10.read("test", dir.resolve(CIFAR_FILES[5])));
    }
}
