package org.recsys.recommend.bench;

import org.recsys.recommend.testing.LoopbackPorts;
import org.recsys.recommend.testing.NodeSpec;
import org.recsys.recommend.testing.RealNode;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A benchmark node whose home, and so whose data, survives between runs. The first run builds the home with the test
 * harness ({@link RealNode}, which unpacks the distribution and installs the plugin); later runs start the same home
 * again, reinstalling the plugin first when its zip changed, so a loaded and force-merged catalogue is reused. The node
 * is stopped by {@link #close()} or by a shutdown hook; a node left over from a killed run is stopped on the next start.
 */
final class BenchNode implements Closeable {

    private static final String NODE_USER = "nobody";
    private static final String PLUGIN_MARK = "plugin.sha256";
    private static final long START_TIMEOUT_MILLIS = 180_000;

    private final Path base;
    private final int port;
    private final RealNode freshNode;
    private final Process process;
    private final Thread hook;
    private final boolean reused;

    private BenchNode(Path base, int port, RealNode freshNode, Process process, boolean reused) {
        this.base = base;
        this.port = port;
        this.freshNode = freshNode;
        this.process = process;
        this.reused = reused;
        this.hook = new Thread(this::stop, "bench-node-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Starts the node living in {@code base}: the existing home when there is one, else a fresh one. */
    static BenchNode open(Path base, String heap) throws IOException {
        Path plugin = Path.of(System.getProperty("recommend.test.plugin", "")).toAbsolutePath();
        if (Files.isRegularFile(plugin) == false) {
            throw new IllegalStateException("plugin zip missing at " + plugin + ": run 'mvn package' first (exec:java sets the path)");
        }
        String pluginHash = sha256(plugin);
        stopLeftover(base);
        Path home = findHome(base);
        if (home == null || Files.isRegularFile(base.resolve(PLUGIN_MARK)) == false) {
            RealNode node = RealNode.start(NodeSpec.insecure().withHeap(heap).detachedAt(base));
            Files.writeString(base.resolve(PLUGIN_MARK), pluginHash);
            Files.writeString(base.resolve("bench-node.pid"), Long.toString(node.pid()));
            return new BenchNode(base, node.httpPort(), node, null, false);
        }
        if (pluginHash.equals(Files.readString(base.resolve(PLUGIN_MARK)).trim()) == false) {
            System.out.println("The plugin zip changed since the catalogue was built: reinstalling it in " + home);
            run(home, List.of("bin/elasticsearch-plugin", "remove", "recommend"));
            run(home, List.of("bin/elasticsearch-plugin", "install", "--batch", plugin.toUri().toString()));
            Files.writeString(base.resolve(PLUGIN_MARK), pluginHash);
        }
        int port = freePort();
        Path yml = home.resolve("config/elasticsearch.yml");
        List<String> config = new ArrayList<>();
        for (String line : Files.readAllLines(yml, StandardCharsets.UTF_8)) {
            config.add(line.startsWith("http.port:") ? "http.port: " + port : line);
        }
        Files.write(yml, config, StandardCharsets.UTF_8);
        Files.writeString(home.resolve("config/jvm.options.d/heap.options"), "-Xms" + heap + "\n-Xmx" + heap + "\n");
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            run(home, List.of("chown", "-R", NODE_USER + ":nogroup", base.toString()));
        }
        List<String> command = new ArrayList<>();
        if (root) {
            command.addAll(List.of("setpriv", "--reuid=" + NODE_USER, "--regid=nogroup", "--init-groups"));
        }
        command.addAll(List.of(home.resolve("bin/elasticsearch").toString(), "-p", home.resolve("logs/node.pid").toString()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile());
        builder.environment().put("ES_JAVA_HOME", System.getProperty("java.home"));
        builder.environment().remove("JAVA_HOME");
        builder.environment().remove("ES_JAVA_OPTS");
        builder.redirectErrorStream(true).redirectOutput(home.resolve("logs/console.log").toFile());
        Process process = builder.start();
        Files.writeString(base.resolve("bench-node.pid"), Long.toString(process.pid()));
        BenchNode node = new BenchNode(base, port, null, process, true);
        try {
            node.awaitHealthy(process);
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
        return node;
    }

    int port() {
        return port;
    }

    /** True when the home (and perhaps a catalogue) came from an earlier run. */
    boolean reused() {
        return reused;
    }

    Path base() {
        return base;
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook runs stop() itself
        }
    }

    private void stop() {
        if (freshNode != null) {
            freshNode.close();
            return;
        }
        if (process.isAlive() == false) {
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        process.destroy();
        try {
            if (process.waitFor(60, TimeUnit.SECONDS) == false) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        tree.forEach(ProcessHandle::destroyForcibly);
    }

    private void awaitHealthy(Process started) {
        BenchHttp http = new BenchHttp(port);
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
        String problem = "no answer";
        while (System.currentTimeMillis() < deadline) {
            if (started.isAlive() == false) {
                throw new IllegalStateException("Elasticsearch exited with " + started.exitValue() + "; see " + base + "/*/logs");
            }
            try {
                http.get("/_cluster/health?wait_for_status=yellow&timeout=2s", BenchHttp.QUERY_TIMEOUT);
                return;
            } catch (RuntimeException e) {
                problem = e.getMessage();
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the node", e);
            }
        }
        throw new IllegalStateException("the benchmark node did not become healthy in time: " + problem);
    }

    /** Stops the launcher and server of a node a killed run left behind: they would hold the data directory's lock. */
    private static void stopLeftover(Path base) throws IOException {
        Path home = findHome(base);
        List<Path> pidFiles = new ArrayList<>(List.of(base.resolve("bench-node.pid")));
        if (home != null) {
            pidFiles.add(home.resolve("logs/node.pid"));
        }
        for (Path pidFile : pidFiles) {
            if (Files.isRegularFile(pidFile) == false) {
                continue;
            }
            try {
                long pid = Long.parseLong(Files.readString(pidFile).trim());
                ProcessHandle.of(pid).filter(h -> h.info().commandLine().orElse("").contains("elasticsearch")).ifPresent(h -> {
                    System.out.println("Stopping a benchmark node left over from an earlier run (pid " + pid + ")");
                    h.destroy();
                    h.onExit().orTimeout(60, TimeUnit.SECONDS).exceptionally(t -> {
                        h.destroyForcibly();
                        return h;
                    }).join();
                });
            } catch (NumberFormatException e) {
                // not a pid: ignore
            }
        }
    }

    private static Path findHome(Path base) throws IOException {
        if (Files.isDirectory(base) == false) {
            return null;
        }
        try (Stream<Path> children = Files.list(base)) {
            return children.filter(p -> Files.isRegularFile(p.resolve("bin/elasticsearch"))).findFirst().orElse(null);
        }
    }

    private static void run(Path home, List<String> command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true);
        builder.environment().put("ES_JAVA_HOME", System.getProperty("java.home"));
        builder.environment().remove("JAVA_HOME");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (process.waitFor(180, TimeUnit.SECONDS) == false || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IOException("failed: " + String.join(" ", command) + "\n" + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
    }

    private static int freePort() throws IOException {
        return LoopbackPorts.free();
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
