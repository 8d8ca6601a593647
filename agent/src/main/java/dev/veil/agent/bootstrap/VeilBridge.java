package dev.veil.agent.bootstrap;

/**
 * The only Veil code that instrumented drivers and data sources call. The agent puts this class on
 * the bootstrap class path, so the code inserted into a driver finds it from any class loader (a
 * Spring Boot nested jar, a servlet container's child-first loader). It therefore uses no type
 * outside {@code java.lang}: the bootstrap loader cannot see {@code java.sql}.
 *
 * <p>An instrumented {@code connect}/{@code getConnection} calls {@link #enter} first, then
 * {@link #exit} with the connection it is about to return, or {@link #thrown} with what it
 * throws. Per thread, the bridge counts the calls in progress whose receiver the {@link Hook}
 * {@linkplain Hook#accepts accepts} (a real {@code Driver} or {@code DataSource}); only the
 * outermost of them hands its connection to the hook, so a pool calling a driver calling
 * another driver wraps once. Calls it does not accept are not counted at all.
 */
public final class VeilBridge {
    /** What the agent does with a connection returned by an outermost call. */
    public interface Hook {
        /**
         * Whether {@code source} is what the instrumented method claims: a {@code java.sql.Driver}
         * ({@code driver}) or a {@code javax.sql.DataSource}. Other classes that merely declare a
         * method of the same signature are neither counted nor wrapped.
         */
        boolean accepts(Object source, boolean driver);

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

    /** Calls deeper than this on one thread are neither counted nor wrapped (they cannot be real). */
    private static final int MAX_NESTING = 64;

    private static volatile Hook hook;
    private static final ThreadLocal<Calls> CALLS = new ThreadLocal<>();

    /** One thread's instrumented calls in progress. */
    private static final class Calls {
        /** Instrumented methods entered and not yet left, counted or not. */
        int level;
        /** Bit {@code i}: whether the call at level {@code i} is counted. */
        long counted;
        /** Counted calls in progress, plus suppressions. */
        int depth;
        boolean driver;
        Object source;
        Object[] args;
    }

    private VeilBridge() {
    }

    /** Installs the agent's hook (once, from premain). */
    public static void install(Hook h) {
        hook = h;
    }

    /** On entry to an instrumented method: {@code self} is its receiver, {@code args} its arguments. */
    public static void enter(Object self, boolean driver, Object[] args) {
        Calls c = calls();
        int level = c.level++;
        if (level >= MAX_NESTING) {
            return;
        }
        Hook h = hook;
        boolean count;
        try {
            count = h != null && h.accepts(self, driver);
        } catch (RuntimeException | LinkageError e) {
            count = false;
        }
        if (!count) {
            c.counted &= ~(1L << level);
            return;
        }
        c.counted |= 1L << level;
        if (c.depth++ == 0) {
            c.driver = driver;
            c.source = self;
            c.args = args;
        }
    }

    /**
     * Just before an instrumented method returns {@code connection}: the connection to return
     * instead. The depth stays raised while the hook runs, so connections the hook opens (to the
     * key table) are never wrapped themselves.
     *
     * @throws Exception only the hook's refusal of a connection Veil must but cannot protect
     */
    public static Object exit(Object connection) throws Exception {
        Calls c = calls();
        int level = --c.level;
        if (level < 0) {
            c.level = 0; // an exit without its enter: a class instrumented while this call ran
            return connection;
        }
        if (level >= MAX_NESTING || (c.counted & 1L << level) == 0) {
            return connection;
        }
        try {
            Hook h = hook;
            if (c.depth != 1 || connection == null || h == null) {
                return connection;
            }
            return h.afterConnect(c.driver, c.source, c.args, connection);
        } finally {
            leave(c);
        }
    }

    /** When an instrumented method ends by throwing {@code t} (rethrown unchanged). */
    public static Throwable thrown(Throwable t) {
        Calls c = calls();
        int level = --c.level;
        if (level < 0) {
            c.level = 0;
        } else if (level < MAX_NESTING && (c.counted & 1L << level) != 0) {
            leave(c);
        }
        return t;
    }

    private static Calls calls() {
        Calls c = CALLS.get();
        if (c == null) {
            c = new Calls();
            CALLS.set(c);
        }
        return c;
    }

    private static void leave(Calls c) {
        if (--c.depth <= 0) {
            c.depth = 0;
            c.source = null;
            c.args = null;
        }
    }

    /** Marks the current thread as inside a connect call, so connections it opens are not wrapped; pair with {@link #resume()}. */
    public static void suppress() {
        calls().depth++;
    }

    /** Ends a {@link #suppress()}. */
    public static void resume() {
        Calls c = calls();
        c.depth = Math.max(0, c.depth - 1);
    }
}
