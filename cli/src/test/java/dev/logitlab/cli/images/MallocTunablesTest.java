package dev.logitlab.cli.images;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The launcher (bash, which cannot read Java) exports glibc's malloc settings for the CLI and the tests: the same
 * string the services and the images get.
 */
class MallocTunablesTest {

    @Test
    void theLauncherExportsTheServicesTunables() throws Exception {
        String lab = Files.readString(Path.of("..", "lab"));
        Matcher exported = Pattern.compile("(?m)^export GLIBC_TUNABLES=\"([^\"]*)\"$").matcher(lab);
        assertEquals(true, exported.find(), "./lab exports GLIBC_TUNABLES");
        assertEquals(Libtorch.MALLOC_TUNABLES, exported.group(1));
    }
}
