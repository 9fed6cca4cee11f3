package dev.logitlab.core.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** A named data set is in none of the searched places; the message says where to get it. */
public final class DatasetNotFoundException extends IllegalStateException {

    private static final Map<String, String> HOW_TO_GET = Map.of(
            "fashion-mnist", "install Debian's package (apt-get install dataset-fashion-mnist), or download the four "
                    + "*-ubyte.gz files from http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/ "
                    + "(see https://github.com/zalandoresearch/fashion-mnist) into ~/.cache/logitlab/fashion-mnist/",
            "mnist", "download the four *-ubyte.gz files from https://ossci-datasets.s3.amazonaws.com/mnist/ "
                    + "(the mirror torchvision uses for http://yann.lecun.com/exdb/mnist/) into ~/.cache/logitlab/mnist/",
            "cifar10", "download https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz and unpack it into "
                    + "~/.cache/logitlab/cifar10/");

    public DatasetNotFoundException(String name, List<Path> searched) {
        super("dataset " + name + " not found (looked in " + searched.stream().map(Path::toString)
                .collect(Collectors.joining(", ")) + "); to get it: " + HOW_TO_GET.getOrDefault(name, "see README.md"));
    }
}
