package org.recsys.recommend.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * JUnit 5 extension that hands a test a {@link RealNode} (or its {@link JsonHttp} client). Nodes are started once per
 * configuration and test run, and stopped when the run ends, whatever the outcome.
 */
public final class RealNodeExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RealNodeExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == RealNode.class || type == JsonHttp.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        RealNode node = node(context);
        return parameter.getParameter().getType() == RealNode.class ? node : node.http();
    }

    private static RealNode node(ExtensionContext context) {
        RealNodeConfig config = context.getRequiredTestClass().getAnnotation(RealNodeConfig.class);
        NodeSpec spec = config == null ? NodeSpec.insecure() : toSpec(config);
        ExtensionContext.Store store = context.getRoot().getStore(NAMESPACE);
        Object key = config == null || config.node().isEmpty() ? spec : List.of(spec, config.node());
        StartedNode started = store.getOrComputeIfAbsent(key, k -> {
            try {
                return new StartedNode(RealNode.start(spec));
            } catch (IOException e) {
                throw new ParameterResolutionException("could not start a real Elasticsearch node: " + e.getMessage(), e);
            }
        }, StartedNode.class);
        return started.node();
    }

    private static NodeSpec toSpec(RealNodeConfig config) {
        NodeSpec spec = config.security() ? securedSpec(config) : NodeSpec.insecure();
        return config.rootInfo() ? spec.withRootInfo() : spec;
    }

    private static NodeSpec securedSpec(RealNodeConfig config) {
        List<NodeSpec.User> users = new ArrayList<>();
        for (String user : config.users()) {
            String[] parts = user.split(":", 3);
            if (parts.length != 3) {
                throw new IllegalArgumentException("user must be name:password:roles, got [" + user + "]");
            }
            users.add(new NodeSpec.User(parts[0], parts[1], Arrays.asList(parts[2].split(","))));
        }
        return NodeSpec.secured(readResource(config.roles()), users);
    }

    private static String readResource(String name) {
        if (name.isEmpty()) {
            return "";
        }
        if (name.startsWith("docs/")) {
            return firstYamlBlock(Path.of(name)); // the roles a page of the docs shows: the test runs the docs' own example
        }
        try (InputStream in = RealNodeExtension.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("roles resource [" + name + "] not found on the test classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String firstYamlBlock(Path page) {
        try {
            String text = Files.readString(page);
            int start = text.indexOf("```yaml\n");
            if (start < 0) {
                throw new IllegalArgumentException("[" + page + "] has no yaml block");
            }
            int end = text.indexOf("```", start + 8);
            return text.substring(start + 8, end);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the node when JUnit closes the root store at the end of the run. */
    private record StartedNode(RealNode node) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            node.close();
        }
    }
}
