package org.recsys.recommend.testing;

import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A real Elasticsearch node: the {@code integ-test-zip} distribution from Maven Central, with the freshly built plugin
 * installed through {@code elasticsearch-plugin install} (and the test-only root-info plugin when asked), on loopback. It
 * runs as {@code nobody} when this JVM runs as root (Elasticsearch refuses root), is stopped by {@link #close()} or a
 * shutdown hook, and every wait is bounded.
 */
public final class RealNode implements Closeable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final String NODE_USER = "nobody";
    private static final String NODE_GROUP = "nogroup";
    /** Nodes this JVM started and has not stopped: never leftovers, even when another node starts meanwhile. */
    private static final Set<Long> STARTED_HERE = ConcurrentHashMap.newKeySet();

    private final NodeSpec spec;
    private final Path base;
    private final Path home;
    private final int httpPort;
    private volatile Process process;
    private final Thread shutdownHook;

    private RealNode(NodeSpec spec, Path base, Path home, int httpPort, Process process) {
        this.spec = spec;
        this.base = base;
        this.home = home;
        this.httpPort = httpPort;
        this.process = process;
        this.shutdownHook = new Thread(this::stopQuietly, "real-node-shutdown-" + httpPort);
        if (spec.detached() == false) {
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
    }

    /** Unpacks, installs the plugin, configures and starts a node, and waits until it answers cluster health. */
    public static RealNode start(NodeSpec spec) throws IOException {
        RealNode node = prepare(spec);
        node.launchAndAwait();
        return node;
    }

    /** Unpacks, installs and configures a node without starting it (a cluster starts all its nodes, then waits for them). */
    static RealNode prepare(NodeSpec spec) throws IOException {
        Path distribution = requiredFile("recommend.test.distribution", "the Elasticsearch integ-test-zip distribution");
        Path plugin = requiredFile("recommend.test.plugin", "the plugin zip (built by 'mvn package')");
        Path rootInfo = spec.rootInfo()
            ? requiredFile("recommend.test.root-info-plugin", "the test-only root-info plugin zip (built by 'mvn package')")
            : null;
        Path workdir = Path.of(System.getProperty("recommend.test.workdir", "target/real-nodes")).toAbsolutePath();
        Files.createDirectories(workdir);
        killLeftovers(workdir);

        int port = spec.httpPort() == 0 ? freePort() : requireFreePort(spec.httpPort());
        Path base = spec.home() != null ? spec.home() : Files.createTempDirectory("recommend-node-");
        if (spec.home() != null) {
            deleteRecursively(base);
            Files.createDirectories(base);
        }
        makeTraversable(base);
        Path home = unzip(distribution, base);
        run(home, List.of("bin/elasticsearch-plugin", "install", "--batch", plugin.toUri().toString()), "install the plugin");
        if (rootInfo != null) {
            run(home, List.of("bin/elasticsearch-plugin", "install", "--batch", rootInfo.toUri().toString()),
                "install the root-info test plugin");
        }
        writeConfig(spec, home, port);
        if (spec.security()) {
            List<NodeSpec.User> users = new ArrayList<>(spec.users());
            users.add(NodeSpec.ADMIN);
            for (NodeSpec.User user : users) {
                List<String> command = new ArrayList<>(List.of("bin/elasticsearch-users", "useradd", user.name(), "-p", user.password()));
                command.add("-r");
                command.add(String.join(",", user.roles()));
                run(home, command, "create file-realm user [" + user.name() + "]");
            }
        }
        if (isRoot()) {
            run(home, List.of("chown", "-R", NODE_USER + ":" + NODE_GROUP, base.toString()), "hand the node's files to " + NODE_USER);
        }

        return new RealNode(spec, base, home, port, null);
    }

    /** Starts the prepared (or killed, or stopped) node on its home, appending to its console log after the first start. */
    void launch() throws IOException {
        process = launch(home, httpPort, process != null);
    }

    void launchAndAwait() throws IOException {
        launch();
        try {
            awaitHealthy();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Kills the node's JVM at once ({@code kill -9}): no shutdown, no flush; what it acknowledged must survive this. */
    public void kill() {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        STARTED_HERE.remove(process.pid());
    }

    /** Stops the node gracefully (SIGTERM) without deleting anything: {@link #launch} starts it again. */
    public void stop() {
        stopQuietly();
    }

    /**
     * On a stopped node: {@code bin/elasticsearch-plugin remove} the plugin, or install the freshly built one again, as an
     * operator does on every node (the files handed back to the node's user afterwards).
     */
    public void removePlugin() throws IOException {
        run(home, List.of("bin/elasticsearch-plugin", "remove", "recommend"), "remove the plugin");
    }

    public void installPluginAgain() throws IOException {
        Path plugin = requiredFile("recommend.test.plugin", "the plugin zip (built by 'mvn package')");
        run(home, List.of("bin/elasticsearch-plugin", "install", "--batch", plugin.toUri().toString()), "install the plugin");
        if (isRoot()) {
            run(home, List.of("chown", "-R", NODE_USER + ":" + NODE_GROUP, home.toString()), "hand the node's files to " + NODE_USER);
        }
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /**
     * Stops the node (SIGTERM, bounded, forced if it hangs) and starts it again on the same home, data directory, port and
     * configuration, then waits until it answers cluster health. Acknowledged writes must survive this.
     */
    public void restart() throws IOException {
        stopQuietly();
        process = launch(home, httpPort, true);
        awaitHealthy();
    }

    public int httpPort() {
        return httpPort;
    }

    public Path home() {
        return home;
    }

    public long pid() {
        return process.pid();
    }

    /** A client as the admin user on a secured node, anonymous otherwise. */
    public JsonHttp http() {
        String url = "http://127.0.0.1:" + httpPort;
        return spec.security() ? new JsonHttp(url, NodeSpec.ADMIN.name(), NodeSpec.ADMIN.password()) : new JsonHttp(url, null, null);
    }

    /** The last lines of the node's logs: what a failed start or a failed test needs to show. */
    public String logTail(int lines) {
        StringBuilder out = new StringBuilder();
        try (Stream<Path> logs = Files.list(home.resolve("logs"))) {
            // gc.log says nothing about why a node failed
            for (Path log : logs.filter(p -> p.toString().endsWith(".log") && p.getFileName().toString().startsWith("gc") == false)
                .sorted()
                .toList()) {
                List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
                out.append("---- ").append(log.getFileName()).append('\n');
                all.subList(Math.max(0, all.size() - lines), all.size()).forEach(l -> out.append(l).append('\n'));
            }
        } catch (IOException e) {
            out.append("(logs unreadable: ").append(e.getMessage()).append(")");
        }
        return out.toString();
    }

    @Override
    public void close() {
        stopQuietly();
        if (spec.home() == null && Boolean.getBoolean("recommend.test.keep_nodes") == false) {
            try {
                deleteRecursively(base); // each node unpacks ~150 MB
            } catch (IOException e) {
                // best effort: it lives in the temporary directory
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // already shutting down, or a detached node that never registered one
        }
    }

    void awaitHealthy() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        JsonHttp http = http();
        String lastProblem = "no answer yet";
        while (System.nanoTime() < deadline) {
            if (process.isAlive() == false) {
                throw new IllegalStateException(
                    "Elasticsearch exited with code " + process.exitValue() + " before it became healthy; log tail:\n" + logTail(40)
                );
            }
            try {
                String nodes = spec.membership() == null ? "" : "&wait_for_nodes=" + spec.membership().seedPorts().size();
                JsonHttp.Response health = http.get("/_cluster/health?wait_for_status=yellow&timeout=2s" + nodes);
                if (health.status() == 200) {
                    return;
                }
                lastProblem = "HTTP " + health.status() + ": " + health.body();
            } catch (UncheckedIOException e) {
                lastProblem = e.getMessage();
            }
            sleep(500);
        }
        throw new IllegalStateException(
            "Elasticsearch did not become healthy on port " + httpPort + " within " + START_TIMEOUT.toSeconds() + "s (" + lastProblem
                + "); log tail:\n" + logTail(40)
        );
    }

    private void stopQuietly() {
        if (process == null || process.isAlive() == false) {
            return;
        }
        // The CLI process forwards SIGTERM to the server child and waits for it; force both only if that hangs.
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        process.destroy();
        try {
            if (process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS) == false) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        tree.forEach(ProcessHandle::destroyForcibly);
        STARTED_HERE.remove(process.pid());
    }

    /** Starts bin/elasticsearch on an installed and configured home; the console log is appended to on a restart. */
    private static Process launch(Path home, int port, boolean appendConsole) throws IOException {
        Path pidFile = home.resolve("logs/node.pid");
        List<String> command = new ArrayList<>();
        if (isRoot()) {
            command.addAll(List.of("setpriv", "--reuid=" + NODE_USER, "--regid=" + NODE_GROUP, "--init-groups"));
        }
        command.addAll(List.of(home.resolve("bin/elasticsearch").toString(), "-p", pidFile.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile());
        builder.environment().put("ES_JAVA_HOME", System.getProperty("java.home"));
        builder.environment().remove("JAVA_HOME");
        builder.environment().remove("ES_JAVA_OPTS");
        File console = home.resolve("logs/console.log").toFile();
        builder.redirectErrorStream(true)
            .redirectOutput(appendConsole ? ProcessBuilder.Redirect.appendTo(console) : ProcessBuilder.Redirect.to(console));
        Process process = builder.start();
        STARTED_HERE.add(process.pid());
        Path workdir = Path.of(System.getProperty("recommend.test.workdir", "target/real-nodes")).toAbsolutePath();
        Files.writeString(workdir.resolve(port + ".pid"), Long.toString(process.pid()));
        return process;
    }

    private static void writeConfig(NodeSpec spec, Path home, int port) throws IOException {
        StringBuilder yml = new StringBuilder();
        NodeSpec.Membership member = spec.membership();
        yml.append("network.host: 127.0.0.1\n");
        yml.append("http.port: ").append(port).append('\n');
        if (member == null) {
            yml.append("cluster.name: recommend-test\n");
            yml.append("node.name: recommend-node\n");
            yml.append("transport.port: 0\n");
            yml.append("discovery.type: single-node\n");
        } else {
            yml.append("cluster.name: ").append(member.clusterName()).append('\n');
            yml.append("node.name: ").append(member.nodeName()).append('\n');
            yml.append("transport.port: ").append(member.transportPort()).append('\n');
            yml.append("discovery.seed_hosts: [")
                .append(String.join(",", member.seedPorts().stream().map(p -> "\"127.0.0.1:" + p + "\"").toList()))
                .append("]\n");
            yml.append("cluster.initial_master_nodes: [").append(String.join(",", member.masters())).append("]\n");
        }
        spec.settings().forEach((key, value) -> yml.append(key).append(": ").append(value).append('\n'));
        // A nearly full disk must not turn test indices read-only.
        yml.append("cluster.routing.allocation.disk.threshold_enabled: false\n");
        if (spec.security()) {
            yml.append("xpack.security.enabled: true\n");
            yml.append("xpack.security.autoconfiguration.enabled: false\n");
            yml.append("xpack.security.http.ssl.enabled: false\n");
            yml.append("xpack.security.transport.ssl.enabled: false\n");
            Files.writeString(home.resolve("config/roles.yml"), spec.rolesYaml());
        } else {
            yml.append("xpack.security.enabled: false\n");
        }
        Files.writeString(home.resolve("config/elasticsearch.yml"), yml.toString());
        Path jvmOptions = home.resolve("config/jvm.options.d");
        Files.createDirectories(jvmOptions);
        Files.writeString(jvmOptions.resolve("heap.options"), "-Xms" + spec.heap() + "\n-Xmx" + spec.heap() + "\n");
        // For profiling a benchmark's node (e.g. a flight recording): extra JVM options, one per line; tests never set it.
        String extra = System.getProperty("recommend.test.node_jvm_options", "");
        if (extra.isBlank() == false) {
            Files.writeString(jvmOptions.resolve("extra.options"), extra.replace(' ', '\n') + "\n");
        }
    }

    /** Unpacks the distribution under {@code base} and returns the Elasticsearch home inside it. */
    private static Path unzip(Path zip, Path base) throws IOException {
        Path home = null;
        try (ZipFile zipFile = new ZipFile(zip.toFile())) {
            Enumeration<? extends ZipEntry> entries = zipFile.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                Path target = base.resolve(entry.getName()).normalize();
                if (target.startsWith(base) == false) {
                    throw new IOException("zip entry escapes its directory: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                    continue;
                }
                Files.createDirectories(target.getParent());
                try (InputStream in = zipFile.getInputStream(entry)) {
                    Files.copy(in, target);
                }
                // Zip entries carry no portable mode bits: the launch scripts need the execute bit back.
                Path parent = target.getParent().getFileName();
                if (parent != null && parent.toString().equals("bin")) {
                    target.toFile().setExecutable(true, false);
                }
                if (home == null) {
                    home = base.resolve(Path.of(entry.getName()).getName(0));
                }
            }
        }
        if (home == null || Files.isRegularFile(home.resolve("bin/elasticsearch")) == false) {
            throw new IOException(zip + " is not an Elasticsearch distribution (no bin/elasticsearch)");
        }
        return home;
    }

    private static void run(Path home, List<String> command, String what) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true);
        builder.environment().put("ES_JAVA_HOME", System.getProperty("java.home"));
        builder.environment().remove("JAVA_HOME");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (process.waitFor(120, TimeUnit.SECONDS) == false) {
                process.destroyForcibly();
                throw new IOException("timed out trying to " + what + ": " + String.join(" ", command));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted trying to " + what, e);
        }
        if (process.exitValue() != 0) {
            throw new IOException(
                "failed to " + what + " (exit " + process.exitValue() + "): " + String.join(" ", command) + "\n" + output
            );
        }
    }

    /** Nodes whose JVM was killed before it could stop them (an interrupted build) are stopped on the next start. */
    private static void killLeftovers(Path workdir) throws IOException {
        try (Stream<Path> pids = Files.list(workdir)) {
            for (Path pidFile : pids.filter(p -> p.toString().endsWith(".pid")).toList()) {
                try {
                    long pid = Long.parseLong(Files.readString(pidFile).trim());
                    if (STARTED_HERE.contains(pid)) {
                        continue; // a live node of this run (several configurations may run side by side)
                    }
                    ProcessHandle.of(pid).filter(h -> h.info().command().orElse("").contains("java")
                        || h.info().command().orElse("").contains("setpriv")
                        || h.info().commandLine().orElse("").contains("elasticsearch")).ifPresent(h -> {
                            h.descendants().forEach(ProcessHandle::destroyForcibly);
                            h.destroyForcibly();
                        });
                } catch (NumberFormatException e) {
                    // not ours
                }
                Files.deleteIfExists(pidFile);
            }
        }
    }

    private static Path requiredFile(String property, String what) {
        String value = System.getProperty(property);
        if (value == null) {
            throw new IllegalStateException(
                "system property [" + property + "] is not set: run through Maven ('./run test'), which sets it"
            );
        }
        Path path = Path.of(value).toAbsolutePath();
        if (Files.isRegularFile(path) == false) {
            throw new IllegalStateException(
                what + " is missing at " + path + ": 'mvn package' downloads and builds it; if the download failed, check access to "
                    + "Maven Central"
            );
        }
        return path;
    }

    static int freePort() throws IOException {
        return LoopbackPorts.free();
    }

    private static int requireFreePort(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(
                String.format(Locale.ROOT, "port %d on 127.0.0.1 is taken: stop whatever listens there (a demo node: ./run stop)", port)
            );
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void makeTraversable(Path dir) throws IOException {
        // Files.createTempDirectory makes a 700 directory: the node's user must be able to enter it.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir) == false) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Elasticsearch", e);
        }
    }
}
