package org.recsys.recommend.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code config/roles.yml} is the roles block of docs/security.md, which {@code SecurityDocRolesIT} runs on a secured node:
 * the shipped excerpt is the tested one.
 */
class ConfigRolesTests {

    @Test
    void shippedRolesAreTheDocumentedOnes() throws IOException {
        Path base = Path.of(System.getProperty("basedir", "."));
        List<String> shipped = Files.readAllLines(base.resolve("config/roles.yml")).stream()
            .dropWhile(line -> line.startsWith("# An excerpt") || line.startsWith("# the docs'"))
            .toList();
        List<String> page = Files.readAllLines(base.resolve("docs/security.md"));
        int start = page.indexOf("```yaml") + 1;
        int end = page.subList(start, page.size()).indexOf("```") + start;
        assertEquals(page.subList(start, end), shipped);
    }
}
