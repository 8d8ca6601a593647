package dev.veil.agent.bootstrap;

/**
 * The only Veil code that instrumented drivers and data sources call. The agent puts this class on
 * the bootstrap class path, so the advice inlined into a driver finds it from any class loader (a
 * Spring Boot nested jar, a servlet container's child-first loader). It therefore uses no type
 * outside {@code java.lang}: the bootstrap loader cannot see {@code java.sql}.
 *
 * <p>It tracks, per thread, how deep the current thread is in instrumented
 * {@code connect}/{@code getConnection} calls, so only the outermost call hands its connection to
 * the {@link Hook}, and a pool calling a driver calling another driver wraps once.
 */
public final class VeilBridge {
    /** What the agent does with a connection returned by an outermost call. */
    public interface Hook {
        /**
         * @param driver whether {@code source} returned from {@code Driver#connect} (else {@code DataSource#getConnection})
         * @param source the Driver or DataSource whose method returned
         * @param args the method's arguments
         * @param connection the connection it returned (never null)
         * @return the connection to hand to the caller
         * @throws Exception only the VeilException that refuses a connection Veil must but cannot protect
         */
        Object afterConnect(boolean driver, Object source, Object[] args, Object connection) throws Exception;
    }

    private static volatile Hook hook;
    private static final ThreadLocal<int[]> DEPTH = new ThreadLocal<>();

    private VeilBridge() {
    }

    /** Installs the agent's hook (once, from premain). */
    public static void install(Hook h) {
        hook = h;
    }

    /** On entry to an instrumented method: the depth before this call (0 = outermost). */
    public static int enter() {
        int[] d = depth();
        return d[0]++;
    }

    /**
     * On exit from an instrumented method, normal or exceptional. The depth stays raised while the
     * hook runs, so connections the hook opens (to the key table) are never wrapped themselves.
     */
    public static Object exit(int before, boolean driver, Object source, Object[] args, Object connection, Throwable thrown) throws Exception {
        int[] d = depth();
        try {
            Hook h = hook;
            if (before != 0 || thrown != null || connection == null || h == null) {
                return connection;
            }
            return h.afterConnect(driver, source, args, connection);
        } finally {
            d[0] = before;
        }
    }

    /**
     * Called by a driver's or data source's compiler bridge method just before it returns the
     * connection its narrower-typed method made (see the agent's bridge visitor): the same rules
     * as {@link #exit}, as though the bridge were the instrumented call.
     */
    public static Object afterBridge(Object connection, boolean driver, Object source, Object[] args) throws Exception {
        return exit(enter(), driver, source, args, connection, null);
    }

    /** Marks the current thread as inside a connect call, so connections it opens are not wrapped; pair with {@link #resume()}. */
    public static void suppress() {
        depth()[0]++;
    }

    /** Ends a {@link #suppress()}. */
    public static void resume() {
        int[] d = depth();
        d[0] = Math.max(0, d[0] - 1);
    }

    private static int[] depth() {
        int[] d = DEPTH.get();
        if (d == null) {
            d = new int[1];
            DEPTH.set(d);
        }
        return d;
    }
}
