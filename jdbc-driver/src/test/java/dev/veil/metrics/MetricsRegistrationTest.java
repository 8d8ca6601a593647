package dev.veil.metrics;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsRegistrationTest {
    @Test
    void registersAsSoonAsAnMBeanServerAppears() {
        AtomicInteger asked = new AtomicInteger();
        assertTrue(MetricsRegistration.awaitMBeanServer(() -> asked.incrementAndGet() == 3, 600_000, 1));
        assertEquals(3, asked.get(), "it stops asking once the server exists");
    }

    @Test
    void doesNotWaitWhenTheServerExists() {
        AtomicInteger asked = new AtomicInteger();
        assertTrue(MetricsRegistration.awaitMBeanServer(() -> asked.incrementAndGet() > 0, 0, 1));
        assertEquals(1, asked.get());
    }

    @Test
    void givesUpWaitingSoThatItMakesTheServerItself() {
        AtomicInteger asked = new AtomicInteger();
        assertFalse(MetricsRegistration.awaitMBeanServer(() -> asked.incrementAndGet() < 0, 30, 1));
        assertTrue(asked.get() >= 1);
    }

    @Test
    void anInterruptEndsTheWait() {
        Thread.currentThread().interrupt();
        try {
            assertFalse(MetricsRegistration.awaitMBeanServer(() -> false, 600_000, 1));
            assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
        } finally {
            Thread.interrupted();
        }
    }
}
