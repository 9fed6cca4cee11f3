package dev.logitlab.cli.images;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.LibUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * libtorch as an image holds it: a directory of native libraries placed where DJL looks first, so a pod loads it
 * at start without extracting or downloading anything (and can run with a read-only root).
 *
 * @param source    the directory on this machine whose files go into the image
 * @param target    where they go in the image
 * @param jni       DJL's JNI library for this flavor and where it goes, or null when {@code source} already has it
 * @param jniTarget where DJL looks for the JNI library
 * @param env       what tells DJL inside the image to use them
 * @param flavor    {@code cpu} or a CUDA flavor such as {@code cu128}
 */
public record Libtorch(Path source, String target, Path jni, String jniTarget, Map<String, String> env, String flavor) {

    /**
     * glibc's malloc settings for every process that runs libtorch ({@code GLIBC_TUNABLES}; ./lab exports the same
     * for itself and the tests). libtorch frees and re-allocates its activations at every pass; by default glibc
     * maps each block over 128 KiB on its own and unmaps it when freed, so the next pass takes it back as fresh
     * zeroed pages, one page fault per 4 KiB: 0.6 million faults and 15-20% of an evaluation's time here
     * (docs/benchmarks.md). Blocks up to 32 MiB now come from the heap, which is given back only past 1 GiB free.
     * Setting one of the two without the other is worse than neither: it turns off glibc's own adjustment. One arena:
     * a thread other than the process's first gets arenas of at most 64 MiB, made and unmade as activations come and
     * go (a training run's faults varied from 0.3 to 0.5 million with them, 0.2 million without). Huge pages
     * (hugetlb=1: the heap madvised for the kernel's transparent huge pages, where it lends them only on request):
     * the heap's first touches are faults of 2 MiB, not 4 KiB, 1.4 million faults in a quick demo became 0.4 million
     * and its kernel time 31-33 CPU s 22-25 (where the kernel lends none, nothing changes).
     */
    public static final String MALLOC_TUNABLES = "glibc.malloc.mmap_threshold=33554432"
            + ":glibc.malloc.trim_threshold=1073741824:glibc.malloc.arena_max=1:glibc.malloc.hugetlb=1";

    /** DJL's engine cache inside every image ({@code ENGINE_CACHE_DIR}). */
    static final String ENGINE_CACHE = "/opt/djl";

    /**
     * The CPU build DJL ships in {@code pytorch-native-cpu}, as DJL extracted it on this machine (loading the engine
     * extracts it on first use): the image gets DJL's own cache layout (libraries and JNI library together), so DJL
     * in the pod finds it as already extracted.
     */
    public static Libtorch cpu() {
        if (System.getenv("PYTORCH_LIBRARY_PATH") != null) {
            throw new IllegalStateException("PYTORCH_LIBRARY_PATH is set: unset it so the images get DJL's CPU build "
                    + "(use --cuda-libtorch for a CUDA one)");
        }
        Engine.getEngine("PyTorch");
        Path dir = Path.of(LibUtils.getLibtorchPath()).toAbsolutePath();
        try (var files = Files.list(dir)) {
            if (files.noneMatch(f -> f.getFileName().toString().endsWith("-libdjl_torch.so"))) {
                throw new IllegalStateException(dir + " has no DJL JNI library: not a DJL cache directory");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Libtorch(dir, ENGINE_CACHE + "/pytorch/" + dir.getFileName(), null, null,
                Map.of("ENGINE_CACHE_DIR", ENGINE_CACHE), "cpu");
    }

    /**
     * libtorch from a directory, for DJL's flavor (a CUDA build such as {@code cu128}: the {@code lib} folder of
     * PyTorch's libtorch archive, or of DJL's {@code pytorch-native-cuXXX} jar), of the version of DJL's JNI
     * library (2.7.1), found through {@code PYTORCH_LIBRARY_PATH}, with DJL's JNI library for that flavor from the
     * {@code pytorch-jni} jar on this classpath placed where DJL looks for it. A CUDA build brings the CUDA runtime
     * libraries; the driver comes from the node (NVIDIA's container toolkit).
     */
    public static Libtorch override(Path libDir, String flavor, Path cache) {
        if (!Files.isRegularFile(libDir.resolve("libtorch.so"))
                || flavor.startsWith("cu") && !Files.isRegularFile(libDir.resolve("libtorch_cuda.so"))) {
            throw new IllegalArgumentException(libDir + " is not a libtorch for " + flavor + ": libtorch.so"
                    + (flavor.startsWith("cu") ? " and libtorch_cuda.so" : "") + " must be in it");
        }
        String[] jniVersion = jniVersion().split("-", 2); // e.g. 2.7.1-0.36.0: libtorch, then DJL
        Path jni = cache.resolve("jni-" + flavor).resolve("libdjl_torch.so");
        try (InputStream in = LibUtils.class.getResourceAsStream("/jnilib/linux-x86_64/" + flavor + "/libdjl_torch.so")) {
            if (in == null) {
                throw new IllegalArgumentException("DJL " + jniVersion[1] + " has no JNI library for flavor " + flavor);
            }
            Files.createDirectories(jni.getParent());
            Files.copy(in, jni, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PYTORCH_LIBRARY_PATH", "/opt/libtorch/lib");
        env.put("PYTORCH_VERSION", jniVersion[0]);
        env.put("PYTORCH_FLAVOR", flavor);
        env.put("ENGINE_CACHE_DIR", ENGINE_CACHE);
        return new Libtorch(libDir, "/opt/libtorch/lib", jni, ENGINE_CACHE + "/pytorch/" + jniVersion[0] + "-" + flavor
                + "-linux-x86_64/" + jniVersion[1] + "-libdjl_torch.so", env, flavor);
    }

    private static String jniVersion() {
        try (InputStream in = LibUtils.class.getResourceAsStream("/jnilib/pytorch.properties")) {
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("jni_version");
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("DJL's pytorch-jni is not on the classpath", e);
        }
    }
}
