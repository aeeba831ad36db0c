package org.recsys.recommend.action;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The plugin's own version and the Elasticsearch version it was built against, as stamped by the build. */
public record PluginBuild(String name, String version, String elasticsearchVersion) {

    public static final PluginBuild CURRENT = load();

    private static PluginBuild load() {
        Properties properties = new Properties();
        try (InputStream in = PluginBuild.class.getResourceAsStream("/org/recsys/recommend/build.properties")) {
            if (in == null) {
                throw new IllegalStateException("build.properties is missing from the plugin jar");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new PluginBuild("recommend", properties.getProperty("version"), properties.getProperty("elasticsearch.version"));
    }
}
