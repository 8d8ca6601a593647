package dev.veil.examples;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the demo decides between the PostgreSQL it was given and embedded H2. */
class DemoTest {
    @Test
    void aListeningServerCountsAsAnsweringWhateverItWouldSayToTheLogin() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertTrue(Demo.answers("jdbc:postgresql://127.0.0.1:" + server.getLocalPort() + "/postgres?user=nosuchuser"));
        }
    }

    @Test
    void aClosedPortDoesNotAnswer() throws Exception {
        int port;
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = server.getLocalPort();
        }
        assertFalse(Demo.answers("jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres"));
    }

    @Test
    void readsHostAndPortFromTheUrl() {
        assertEquals(new Demo.HostPort("db.internal", 6432), Demo.HostPort.of("jdbc:postgresql://db.internal:6432/postgres?user=a"));
        assertEquals(new Demo.HostPort("db.internal", 5432), Demo.HostPort.of("jdbc:postgresql://db.internal/postgres"));
        assertEquals(new Demo.HostPort("::1", 5433), Demo.HostPort.of("jdbc:postgresql://[::1]:5433/postgres"));
        assertEquals(new Demo.HostPort("localhost", 5432), Demo.HostPort.of("jdbc:postgresql:postgres"));
        assertEquals(new Demo.HostPort("a", 5432), Demo.HostPort.of("jdbc:postgresql://a,b:5433/postgres"));
    }
}
