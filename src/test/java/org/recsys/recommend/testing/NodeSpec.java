package org.recsys.recommend.testing;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a real node should look like: security on or off, the file-realm users and roles a test declares, the heap, where
 * it lives, and whether the test-only root-info plugin ({@code GET /}) is installed beside the plugin. Port 0 picks a free
 * loopback port.
 */
public record NodeSpec(
    boolean security,
    List<User> users,
    String rolesYaml,
    int httpPort,
    String heap,
    Path home,
    boolean detached,
    Membership membership,
    Map<String, String> settings,
    boolean rootInfo
) {

    /**
     * A node of a several-node cluster on loopback: the cluster's name, this node's name and transport port, every node's
     * transport port (the seed hosts) and names (the first master election).
     */
    public record Membership(String clusterName, String nodeName, int transportPort, List<Integer> seedPorts, List<String> masters) {
        public Membership {
            seedPorts = List.copyOf(seedPorts);
            masters = List.copyOf(masters);
        }
    }

    /** A file-realm user: name, password and the roles it holds. */
    public record User(String name, String password, List<String> roles) {
        public User {
            Objects.requireNonNull(name);
            Objects.requireNonNull(password);
            roles = List.copyOf(roles);
        }
    }

    /** The user every secured node has, holding the built-in superuser role, for test set-up. */
    public static final User ADMIN = new User("recommend_admin", "admin-password", List.of("superuser"));

    public NodeSpec {
        users = List.copyOf(users);
        rolesYaml = rolesYaml == null ? "" : rolesYaml;
        settings = settings == null ? Map.of() : Map.copyOf(settings);
    }

    public static NodeSpec insecure() {
        return new NodeSpec(false, List.of(), "", 0, "1g", null, false, null, Map.of(), false);
    }

    public static NodeSpec secured(String rolesYaml, List<User> users) {
        return new NodeSpec(true, users, rolesYaml, 0, "1g", null, false, null, Map.of(), false);
    }

    public NodeSpec withHttpPort(int port) {
        return new NodeSpec(security, users, rolesYaml, port, heap, home, detached, membership, settings, rootInfo);
    }

    public NodeSpec withHeap(String newHeap) {
        return new NodeSpec(security, users, rolesYaml, httpPort, newHeap, home, detached, membership, settings, rootInfo);
    }

    /** A node that lives in {@code fixedHome} and keeps running after this JVM exits (the demo). */
    public NodeSpec detachedAt(Path fixedHome) {
        return new NodeSpec(security, users, rolesYaml, httpPort, heap, fixedHome, true, membership, settings, rootInfo);
    }

    /** The same node with these extra {@code elasticsearch.yml} settings (the plugin's own, say). */
    public NodeSpec withSettings(Map<String, String> newSettings) {
        return new NodeSpec(security, users, rolesYaml, httpPort, heap, home, detached, membership, newSettings, rootInfo);
    }

    /** The same node with the test-only root-info plugin installed too: it answers {@code GET /}, as the full distribution does. */
    public NodeSpec withRootInfo() {
        return new NodeSpec(security, users, rolesYaml, httpPort, heap, home, detached, membership, settings, true);
    }

    /** The same node as a member of a cluster instead of a single-node cluster. */
    public NodeSpec inCluster(Membership newMembership) {
        return new NodeSpec(security, users, rolesYaml, httpPort, heap, home, detached, newMembership, settings, rootInfo);
    }
}
