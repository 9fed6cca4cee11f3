package dev.logitlab.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {

    @TempDir
    Path dir;

    @Test
    void readsIdxFilesFromTheDataDirectoryFirst() throws IOException {
        Path mnist = dir.resolve("mnist");
        Files.createDirectories(mnist);
        // Two 2×3 training images and one test image, pixel values chosen to check the byte order.
        writeIdx(mnist.resolve("train-images-idx3-ubyte.gz"), new int[] {2, 2, 3}, new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, (byte) 255});
        writeIdx(mnist.resolve("train-labels-idx1-ubyte.gz"), new int[] {2}, new byte[] {7, 3});
        writeIdx(mnist.resolve("t10k-images-idx3-ubyte.gz"), new int[] {1, 2, 3}, new byte[] {9, 9, 9, 9, 9, (byte) 128});
        writeIdx(mnist.resolve("t10k-labels-idx1-ubyte.gz"), new int[] {1}, new byte[] {9});

        TrainTestSplit split = Datasets.load("mnist", dir);

        assertEquals(2, split.train().size());
        assertEquals(2, split.train().height());
        assertEquals(3, split.train().width());
        assertArrayEquals(new int[] {7, 3}, split.train().labels());
        float[] pixels = new float[12];
        split.train().copyImages(0, 2, pixels);
        assertEquals(1f, pixels[11], 0f);
        assertEquals(10 / 255f, pixels[10], 1e-7f);
        assertEquals(1, split.test().size());
        assertEquals(9, split.test().labels()[0]);
    }

    @Test
    void readsCifar10BinaryBatches() throws IOException {
        Path cifar = dir.resolve("cifar10/cifar-10-batches-bin");
        Files.createDirectories(cifar);
        String[] files = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
            "data_batch_5.bin", "test_batch.bin"};
        for (int f = 0; f < files.length; f++) {
            byte[] record = new byte[2 * 3073]; // two images: label byte, then 3×32×32 channel-major pixels
            record[0] = (byte) f;
            record[1] = (byte) 255; // red channel, top-left pixel of the first image
            record[3073] = 9;
            Files.write(cifar.resolve(files[f]), record);
        }
        TrainTestSplit split = Datasets.load("cifar10", dir);
        assertEquals(10, split.train().size());
        assertEquals(3, split.train().channels());
        assertArrayEquals(new int[] {0, 9, 1, 9, 2, 9, 3, 9, 4, 9}, split.train().labels());
        assertArrayEquals(new int[] {5, 9}, split.test().labels());
        float[] pixels = new float[2 * 3072];
        split.test().copyImages(0, 2, pixels);
        assertEquals(1f, pixels[0], 0f);
        assertEquals(0f, pixels[1], 0f);
    }

    @Test
    void aMissingDatasetSaysWhereItLookedAndHowToGetIt() {
        String home = System.getProperty("user.home");
        System.setProperty("user.home", dir.toString());
        try {
            var e = assertThrows(DatasetNotFoundException.class, () -> Datasets.load("cifar10", dir.resolve("nowhere")));
            assertTrue(e.getMessage().contains("cifar-10-binary.tar.gz"), e.getMessage());
            assertTrue(e.getMessage().contains(dir.resolve("nowhere").toString()), e.getMessage());
        } finally {
            System.setProperty("user.home", home);
        }
        var unknown = assertThrows(IllegalArgumentException.class, () -> Datasets.load("imagenet", null));
        assertTrue(unknown.getMessage().contains("fashion-mnist"), unknown.getMessage());
    }

    @Test
    void everySpellingOfADataSetHasOneCanonicalName() {
        assertEquals("fashion-mnist", Datasets.canonical("Fashion-MNIST"));
        assertEquals("fashion-mnist", Datasets.canonical("FASHION-mnist"));
        assertEquals("cifar10", Datasets.canonical("CIFAR-10"));
        assertEquals("synthetic", Datasets.canonical("synthetic"));
        assertThrows(IllegalArgumentException.class, () -> Datasets.canonical("imagenet"));
        assertThrows(IllegalArgumentException.class, () -> Datasets.canonical(null));
    }

    @Test
    void fashionMnistHasItsPublishedShape() {
        TrainTestSplit split = Datasets.load("fashion-mnist", null);
        assertEquals(60_000, split.train().size());
        assertEquals(10_000, split.test().size());
        assertEquals(28, split.train().height());
        // The official test set is balanced: 1,000 images per class.
        int[] counts = new int[10];
        Arrays.stream(split.test().labels()).forEach(l -> counts[l]++);
        assertTrue(Arrays.stream(counts).allMatch(c -> c == 1000), Arrays.toString(counts));
        assertEquals(500, split.limit(0, 500).test().size());
    }

    @Test
    void shufflingIsASeededPermutation() {
        int[] a = EpochOrder.shuffled(1000, 5);
        assertArrayEquals(a, EpochOrder.shuffled(1000, 5));
        assertNotEquals(Arrays.toString(a), Arrays.toString(EpochOrder.shuffled(1000, 6)));
        int[] sorted = a.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            assertEquals(i, sorted[i]);
        }
    }

    private static void writeIdx(Path file, int[] dims, byte[] data) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(0x0800 | dims.length);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(data);
        }
    }
}
