package org.recsys.recommend.action;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PluginBuildTests {

    @Test
    void versionsAreStampedByTheBuild() {
        PluginBuild build = PluginBuild.CURRENT;
        assertEquals("recommend", build.name());
        // An unfiltered resource would still read "${project.version}".
        assertTrue(build.version().matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), build.version());
        assertTrue(build.elasticsearchVersion().matches("9\\.\\d+\\.\\d+"), build.elasticsearchVersion());
    }
}
