package dev.logitlab.core.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Reader for the IDX format of MNIST and Fashion-MNIST (big-endian header, then unsigned bytes). */
final class Idx {

    private static final int UNSIGNED_BYTE = 0x08;

    private Idx() {
    }

    /** The raw bytes of an IDX file and its dimensions. */
    record Tensor(int[] dims, byte[] data) {
    }

    static Tensor read(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
             DataInputStream data = new DataInputStream(new BufferedInputStream(in, 1 << 16))) {
            int magic = data.readInt();
            if ((magic >>> 16) != 0 || ((magic >> 8) & 0xFF) != UNSIGNED_BYTE) {
                throw new IOException(file + " is not an IDX file of unsigned bytes (magic 0x" + Integer.toHexString(magic) + ")");
            }
            int[] dims = new int[magic & 0xFF];
            long size = 1;
            for (int i = 0; i < dims.length; i++) {
                dims[i] = data.readInt();
                size *= dims[i];
            }
            byte[] bytes = new byte[Math.toIntExact(size)];
            data.readFully(bytes);
            return new Tensor(dims, bytes);
        }
    }

    static int[] labels(Tensor t) {
        int[] labels = new int[t.data().length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = t.data()[i] & 0xFF;
        }
        return labels;
    }
}
