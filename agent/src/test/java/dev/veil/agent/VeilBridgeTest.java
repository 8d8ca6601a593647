package dev.veil.agent;

import dev.veil.agent.bootstrap.VeilBridge;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The per-thread depth: only the outermost connect hands its connection to the hook, including when the hook connects itself. */
class VeilBridgeTest {
    final List<Object> hooked = new ArrayList<>();

    @AfterEach
    void uninstall() {
        VeilBridge.install(null);
    }

    @Test
    void onlyTheOutermostCallIsHooked() throws Exception {
        VeilBridge.install((driver, source, args, connection) -> {
            hooked.add(connection);
            // the hook opening a connection of its own (the key table) is not hooked again
            int inner = VeilBridge.enter();
            VeilBridge.exit(inner, true, source, args, "key-connection", null);
            return "wrapped:" + connection;
        });
        int outer = VeilBridge.enter();
        int nested = VeilBridge.enter();
        assertSame("physical", VeilBridge.exit(nested, true, this, new Object[0], "physical", null));
        assertEquals("wrapped:pooled", VeilBridge.exit(outer, false, this, new Object[0], "pooled", null));
        assertEquals(List.of("pooled"), hooked);
        // and the depth is back to zero
        int next = VeilBridge.enter();
        assertEquals(0, next);
        VeilBridge.exit(next, true, this, new Object[0], null, null);
    }

    @Test
    void failedAndRefusedCallsAreNotHooked() throws Exception {
        VeilBridge.install((driver, source, args, connection) -> {
            hooked.add(connection);
            return connection;
        });
        int d = VeilBridge.enter();
        assertEquals(null, VeilBridge.exit(d, true, this, new Object[0], null, null));
        d = VeilBridge.enter();
        VeilBridge.exit(d, true, this, new Object[0], "c", new java.sql.SQLException("refused"));
        assertEquals(List.of(), hooked);
    }

    @Test
    void suppressedConnectsAreNotHooked() throws Exception {
        VeilBridge.install((driver, source, args, connection) -> {
            hooked.add(connection);
            return connection;
        });
        VeilBridge.suppress();
        try {
            int d = VeilBridge.enter();
            VeilBridge.exit(d, true, this, new Object[0], "key", null);
        } finally {
            VeilBridge.resume();
        }
        assertEquals(List.of(), hooked);
    }
}
