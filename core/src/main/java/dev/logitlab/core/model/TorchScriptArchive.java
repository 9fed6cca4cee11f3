package dev.logitlab.core.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Tells a TorchScript module from other files by its structure alone, reading only the zip's central directory:
 * nothing in it is unpickled or run. {@code torch.jit.save} writes one top folder with {@code data.pkl},
 * {@code constants.pkl} and the module's {@code code/}; {@code torch.save} of a model or a state dict writes a zip
 * with {@code data.pkl} but no code, and older PyTorch a bare pickle. Such files are refused here, with what they
 * look like, so an upload is answered before any worker sees it; libtorch's TorchScript loader is the only thing
 * that ever opens what passes.
 */
public final class TorchScriptArchive {

    /** More entries than any real module has (a Wide-ResNet-28-10 has a few hundred): beyond, not a model. */
    static final int MAX_ENTRIES = 100_000;

    private TorchScriptArchive() {
    }

    /** Throws {@link IllegalArgumentException} saying what the file is instead, when it is not a TorchScript module. */
    public static void check(Path file) {
        Set<String> roots = new HashSet<>();
        boolean code = false;
        boolean data = false;
        boolean constants = false;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            if (zip.size() > MAX_ENTRIES) {
                throw new IllegalArgumentException("not a TorchScript module: a zip of " + zip.size() + " entries");
            }
            for (Enumeration<? extends ZipEntry> entries = zip.entries(); entries.hasMoreElements(); ) {
                String name = entries.nextElement().getName();
                int slash = name.indexOf('/');
                if (slash <= 0) {
                    continue;
                }
                roots.add(name.substring(0, slash));
                String inside = name.substring(slash + 1);
                code |= inside.startsWith("code/");
                data |= inside.equals("data.pkl");
                constants |= inside.equals("constants.pkl");
            }
        } catch (ZipException e) {
            throw new IllegalArgumentException("not a TorchScript module: not a zip archive (a pickle from an old "
                    + "torch.save, or another kind of file); save the model with torch.jit.script(model).save(path)");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (roots.size() != 1 || !data) {
            throw new IllegalArgumentException("not a TorchScript module: a zip archive, but not one PyTorch wrote");
        }
        if (!code || !constants) {
            throw new IllegalArgumentException("not a TorchScript module: a torch.save archive (weights or a pickled "
                    + "module, no TorchScript code); save the model with torch.jit.script(model).save(path)");
        }
    }
}
