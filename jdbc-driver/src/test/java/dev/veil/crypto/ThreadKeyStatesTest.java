package dev.veil.crypto;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThreadKeyStatesTest {
    /** A prepared state that records whether it was wiped. */
    static final class State {
        final byte[] key;
        boolean destroyed;

        State(byte[] key) {
            this.key = key;
        }
    }

    final AtomicInteger created = new AtomicInteger();
    final ThreadKeyStates<byte[], State> states = new ThreadKeyStates<>(2, key -> {
        created.incrementAndGet();
        return new State(key);
    }, s -> s.destroyed = true);

    @Test
    void keysAreComparedByIdentityAndPreparedOnce() throws Exception {
        byte[] a = {1, 2, 3};
        byte[] sameBytes = {1, 2, 3};
        State first = states.get(a);
        assertSame(first, states.get(a));
        State other = states.get(sameBytes);
        assertNotSame(first, other, "a different key object with equal bytes has its own state");
        assertSame(first, states.get(a), "found again through the map, not only as the last key");
        assertEquals(2, created.get());
        states.clear();
    }

    @Test
    void evictedAndDiscardedStatesAreWipedAndNeverServed() throws Exception {
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            keys.add(new byte[] {(byte) i});
        }
        State s0 = states.get(keys.get(0));
        states.get(keys.get(1));
        states.get(keys.get(2)); // capacity 2: key 0 is evicted and wiped
        assertTrue(s0.destroyed);
        State again = states.get(keys.get(0));
        assertNotSame(s0, again);
        assertFalse(again.destroyed);

        // the last key's state, evicted by others, is not handed out from the fast path
        State s3 = states.get(keys.get(3));
        states.get(keys.get(1));
        states.get(keys.get(2));
        assertTrue(s3.destroyed);
        assertFalse(states.get(keys.get(3)).destroyed);

        State current = states.get(keys.get(3));
        states.discard(keys.get(3));
        assertTrue(current.destroyed);
        assertFalse(states.get(keys.get(3)).destroyed);
        states.clear();
    }

    @Test
    void eachThreadHasItsOwnStates() throws Exception {
        byte[] key = {9};
        State mine = states.get(key);
        State[] theirs = new State[1];
        Thread t = new Thread(() -> {
            try {
                theirs[0] = states.get(key);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        t.start();
        t.join();
        assertNotSame(mine, theirs[0]);
        states.clear();
    }
}
