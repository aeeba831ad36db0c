package org.recsys.recommend.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs the Spark job of {@code src/spark} as a user runs it without a Spark installation: its jar beside Spark's jars
 * ({@code target/classpath}), on a JDK 17 (Spark 3.5's newest), with the {@code --add-opens} list its POM keeps, in local
 * mode. The module is built by {@code ./run test} before the real-node tests.
 */
public final class SparkJobProcess {

    /** What a run printed and how it ended. */
    public record Outcome(int exitCode, String stdout, String stderr) {}

    private static final Pattern JVM_ARGS = Pattern.compile("<spark\\.jvm\\.args>(.*?)</spark\\.jvm\\.args>", Pattern.DOTALL);
    private static final long TIMEOUT_MINUTES = 10;

    private SparkJobProcess() {}

    public static Outcome run(String... args) throws IOException, InterruptedException {
        return runWithHeap("1g", TIMEOUT_MINUTES, args);
    }

    /** A run with its own heap and time limit (benchmarks on larger data). */
    public static Outcome runWithHeap(String heap, long timeoutMinutes, String... args) throws IOException, InterruptedException {
        Path module = Path.of(System.getProperty("basedir", "."), "src", "spark").toAbsolutePath();
        Path jar = module.resolve("target/recommend-spark-job.jar");
        Path classpath = module.resolve("target/classpath");
        if (Files.exists(jar) == false || Files.exists(classpath) == false) {
            throw new IllegalStateException("the Spark job is not built (" + jar + "): ./run test builds it first, or run "
                + "'cd src/spark && mvn package' with a JDK 17");
        }
        Matcher jvmArgs = JVM_ARGS.matcher(Files.readString(module.resolve("pom.xml")));
        if (jvmArgs.find() == false) {
            throw new IllegalStateException("no <spark.jvm.args> in " + module.resolve("pom.xml"));
        }
        List<String> command = new ArrayList<>(List.of(java17().toString(), "-Xmx" + heap));
        command.addAll(Arrays.asList(jvmArgs.group(1).trim().split("\\s+")));
        // test-classes: the module's quiet log4j2.properties (never in the job jar, where it would override a cluster's)
        command.addAll(List.of("-cp", jar + ":" + module.resolve("target/test-classes") + ":" + Files.readString(classpath).trim(),
            "org.recsys.recommend.spark.SparkTrainJob", "--master", "local[2]"));
        command.addAll(Arrays.asList(args));
        Path out = Files.createTempFile("spark-job-", ".out");
        Path err = Files.createTempFile("spark-job-", ".err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Process process = builder.start();
        try {
            if (process.waitFor(timeoutMinutes, TimeUnit.MINUTES) == false) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException("the Spark job ran past " + timeoutMinutes + " minutes: " + Files.readString(out));
            }
            return new Outcome(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            process.destroyForcibly();
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** A JDK 17 under /usr/lib/jvm (Spark 3.5 runs on 8, 11 and 17, not on the JDK the plugin is built with). */
    static Path java17() throws IOException {
        try (Stream<Path> jdks = Files.list(Path.of("/usr/lib/jvm"))) {
            for (Path jdk : jdks.sorted().toList()) {
                Path release = jdk.resolve("release");
                if (Files.exists(release) && Files.readString(release).contains("JAVA_VERSION=\"17")
                    && Files.isExecutable(jdk.resolve("bin/java"))) {
                    return jdk.resolve("bin/java");
                }
            }
        }
        throw new IllegalStateException("the Spark job needs a JDK 17 under /usr/lib/jvm (apt-get install openjdk-17-jdk-headless)");
    }
}
