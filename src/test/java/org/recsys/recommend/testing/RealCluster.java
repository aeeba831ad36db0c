package org.recsys.recommend.testing;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Several real nodes from the same {@code integ-test-zip}, each with its own home, data and logs, the plugin installed
 * through {@code elasticsearch-plugin install}, forming one cluster on loopback (seed hosts and the first master election
 * name every node). Every node is master-eligible and holds data. Nodes can be killed ({@code kill -9}), stopped and
 * started again; {@link #close} stops them all.
 */
public final class RealCluster implements Closeable {

    private final List<RealNode> nodes;

    private RealCluster(List<RealNode> nodes) {
        this.nodes = nodes;
    }

    /** Prepares {@code size} nodes like {@code spec} (ports chosen here), starts them all, and waits until they formed. */
    public static RealCluster start(int size, NodeSpec spec) throws IOException {
        String clusterName = "recommend-cluster-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100_000;
        List<Integer> transportPorts = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            transportPorts.add(RealNode.freePort());
            names.add("node-" + i);
        }
        List<RealNode> nodes = new ArrayList<>();
        RealCluster cluster = new RealCluster(nodes);
        try {
            for (int i = 0; i < size; i++) {
                NodeSpec.Membership membership = new NodeSpec.Membership(clusterName, names.get(i), transportPorts.get(i), transportPorts,
                    names);
                nodes.add(RealNode.prepare(spec.withHeap("512m").inCluster(membership)));
            }
            for (RealNode node : nodes) {
                node.launch(); // all at once: none can elect a master alone
            }
            for (RealNode node : nodes) {
                node.awaitHealthy();
            }
        } catch (IOException | RuntimeException e) {
            IllegalStateException failure = new IllegalStateException(e.getMessage() + cluster.otherLogTails(), e);
            cluster.close();
            throw failure;
        }
        return cluster;
    }

    /** A node that does not come up often failed because another left the cluster: each node's console tail says why. */
    private String otherLogTails() {
        StringBuilder tails = new StringBuilder();
        for (int i = 0; i < nodes.size(); i++) {
            tails.append("\n==== node-").append(i).append(" log tail:\n").append(nodes.get(i).logTail(15));
        }
        return tails.toString();
    }

    public int size() {
        return nodes.size();
    }

    public RealNode node(int i) {
        return nodes.get(i);
    }

    public JsonHttp http(int i) {
        return nodes.get(i).http();
    }

    /** Starts a killed or stopped node again and waits until the whole cluster answers with it. */
    public void startAgain(int i) throws IOException {
        nodes.get(i).launch();
        nodes.get(i).awaitHealthy();
    }

    /** Stops every node, then starts them all again: what the cluster state and the indices hold must survive. */
    public void fullRestart() throws IOException {
        nodes.forEach(RealNode::stop);
        for (RealNode node : nodes) {
            node.launch();
        }
        for (RealNode node : nodes) {
            node.awaitHealthy();
        }
    }

    @Override
    public void close() {
        nodes.forEach(RealNode::close);
    }
}
