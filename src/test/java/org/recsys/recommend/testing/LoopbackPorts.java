package org.recsys.recommend.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for test nodes on 127.0.0.1, taken below Linux's ephemeral range (32768 and up by default). A port the kernel
 * hands out for {@code new ServerSocket(0)} comes from that range, which is also where every outgoing connection gets
 * its local port: between choosing such a port and the node binding it, a node's own transport connections to its
 * peers could take it, and the node then left the cluster at start (seen in CI). Ports below the range are only ever
 * bound on purpose; each is handed out once per JVM so that two nodes never get the same one.
 */
public final class LoopbackPorts {

    private static final int FIRST = 20_000;
    private static final int LAST = 32_000;
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private LoopbackPorts() {}

    /** A port nobody listens on now and that this JVM has not handed out before. */
    public static synchronized int free() throws IOException {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(FIRST, LAST);
            if (HANDED_OUT.contains(port) == false && bindable(port)) {
                HANDED_OUT.add(port);
                return port;
            }
        }
        throw new IOException("no free port on 127.0.0.1 between " + FIRST + " and " + LAST);
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort() == port;
        } catch (IOException e) {
            return false;
        }
    }
}
