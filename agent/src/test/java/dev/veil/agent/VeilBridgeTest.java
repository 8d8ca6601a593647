package dev.veil.agent;

import dev.veil.agent.bootstrap.VeilBridge;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The per-thread depth: only the outermost accepted connect hands its connection to the hook, including when the hook connects itself. */
class VeilBridgeTest {
    final List<Object> hooked = new ArrayList<>();
    final Object driver = new Object();
    final Object notADriver = new Object();

    @AfterEach
    void uninstall() {
        VeilBridge.install(null);
    }

    interface Wrap {
        Object afterConnect(boolean isDriver, Object source, Object[] args, Object connection) throws Exception;
    }

    private void install(Wrap wrap) {
        VeilBridge.install(new VeilBridge.Hook() {
            @Override
            public boolean accepts(Object source, boolean isDriver) {
                return source != notADriver;
            }

            @Override
            public Object afterConnect(boolean isDriver, Object source, Object[] args, Object connection) throws Exception {
                return wrap.afterConnect(isDriver, source, args, connection);
            }
        });
    }

    @Test
    void onlyTheOutermostCallIsHooked() throws Exception {
        install((d, source, args, connection) -> {
            hooked.add(connection);
            assertSame(driver, source);
            // the hook opening a connection of its own (the key table) is not hooked again
            VeilBridge.enter(driver, true, new Object[0]);
            VeilBridge.exit("key-connection");
            return "wrapped:" + connection;
        });
        VeilBridge.enter(driver, false, new Object[0]);
        VeilBridge.enter(this, true, new Object[0]);
        assertSame("physical", VeilBridge.exit("physical"));
        assertEquals("wrapped:pooled", VeilBridge.exit("pooled"));
        assertEquals(List.of("pooled"), hooked);
        // and the depth is back to zero
        VeilBridge.enter(driver, true, new Object[0]);
        assertEquals("wrapped:again", VeilBridge.exit("again"));
    }

    @Test
    void failedAndRefusedCallsAreNotHooked() throws Exception {
        install((d, source, args, connection) -> {
            hooked.add(connection);
            return connection;
        });
        VeilBridge.enter(driver, true, new Object[0]);
        assertEquals(null, VeilBridge.exit(null));
        VeilBridge.enter(driver, true, new Object[0]);
        Throwable refused = new java.sql.SQLException("refused");
        assertSame(refused, VeilBridge.thrown(refused));
        assertEquals(List.of(), hooked);
        // a call that threw leaves the depth as it was
        VeilBridge.enter(driver, true, new Object[0]);
        VeilBridge.exit("c");
        assertEquals(List.of("c"), hooked);
    }

    @Test
    void callsOnOtherTypesAreNeitherCountedNorHooked() throws Exception {
        install((d, source, args, connection) -> {
            hooked.add(connection);
            return connection;
        });
        // a helper with a getConnection() of its own around a real driver: the driver's connection is wrapped
        VeilBridge.enter(notADriver, false, new Object[0]);
        VeilBridge.enter(driver, true, new Object[] {"jdbc:x", null});
        assertEquals("physical", VeilBridge.exit("physical"));
        assertEquals("physical", VeilBridge.exit("physical"));
        assertEquals(List.of("physical"), hooked);
    }

    @Test
    void suppressedConnectsAreNotHooked() throws Exception {
        install((d, source, args, connection) -> {
            hooked.add(connection);
            return connection;
        });
        VeilBridge.suppress();
        try {
            VeilBridge.enter(driver, true, new Object[0]);
            VeilBridge.exit("key");
        } finally {
            VeilBridge.resume();
        }
        assertEquals(List.of(), hooked);
    }
}
