package dev.logitlab.core.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CIFAR-10's binary batches: each record is one label byte followed by 3×32×32 pixel bytes (channel-major). */
final class Cifar10 {

    private static final int RECORD = 1 + 3 * 32 * 32;

    private Cifar10() {
    }

    static Dataset read(String split, Path... batches) throws IOException {
        int total = 0;
        byte[][] files = new byte[batches.length][];
        for (int i = 0; i < batches.length; i++) {
            files[i] = Files.readAllBytes(batches[i]);
            if (files[i].length % RECORD != 0) {
                throw new IOException(batches[i] + " is not a CIFAR-10 binary batch (size " + files[i].length + ")");
            }
            total += files[i].length / RECORD;
        }
        byte[] pixels = new byte[total * (RECORD - 1)];
        int[] labels = new int[total];
        int n = 0;
        for (byte[] file : files) {
            for (int off = 0; off < file.length; off += RECORD, n++) {
                labels[n] = file[off] & 0xFF;
                System.arraycopy(file, off + 1, pixels, n * (RECORD - 1), RECORD - 1);
            }
        }
        return new Dataset("cifar10/" + split, 3, 32, 32, 10, pixels, labels);
    }
}
