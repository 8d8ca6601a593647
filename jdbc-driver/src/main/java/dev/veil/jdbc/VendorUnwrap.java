package dev.veil.jdbc;

import dev.veil.VeilException;
import dev.veil.VeilState;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.sql.Wrapper;
import java.util.Collection;
import java.util.Map;
import java.util.Set;

/**
 * What {@code unwrap} and {@code isWrapperFor} may hand out beneath a Veil wrapper. The real
 * driver's objects can run SQL that Veil never sees (a statement, a connection, a COPY), so they are
 * never handed out. A vendor interface is handed out as a proxy implementing only that interface:
 * its methods that return plain data (numbers, strings, enums, collections) reach the real object;
 * its methods that return anything else are refused (with a {@link VeilException}, or an
 * {@link UnsupportedOperationException} caused by one where the method declares no {@code SQLException}). {@code PGConnection} is special: its
 * {@code getCopyAPI()} returns a {@code CopyManager} that encrypts and decrypts COPY.
 */
final class VendorUnwrap {
    private static final String PG_CONNECTION = "org.postgresql.PGConnection";
    /** Vendor return types that carry data only. */
    private static final Set<String> DATA_TYPES = Set.of("org.postgresql.PGNotification[]", "java.sql.Array",
            "org.postgresql.largeobject.LargeObjectManager");

    private VendorUnwrap() {
    }

    /**
     * {@code wrapper.unwrap(iface)} for an {@code iface} the wrapper does not implement itself.
     *
     * @throws SQLException VE006 when the request would hand out the real driver's object
     */
    static <T> T unwrap(Object wrapper, Wrapper delegate, Class<T> iface) throws SQLException {
        if (!delegate.isWrapperFor(iface)) {
            return delegate.unwrap(iface); // the driver's own error for what it does not wrap
        }
        refuseUnlessProxyable(wrapper, iface);
        Object target = delegate.unwrap(iface);
        if (iface.getName().equals(PG_CONNECTION) && wrapper instanceof VeilConnection c) {
            return iface.cast(pgConnection(c, iface, target));
        }
        return iface.cast(proxy(iface, target, wrapper instanceof VeilConnection c ? resets(c) : null));
    }

    /**
     * A vendor call on the connection that is not a getter ({@code changeUser}, a reset, a reconnect)
     * may reset the connection's SQL mode and character set: they are read again before the next statement.
     */
    private static Special resets(VeilConnection connection) {
        return (method, args) -> {
            String name = method.getName();
            if (!name.startsWith("get") && !name.startsWith("is")) {
                connection.rulesMayChange();
            }
            return Special.NONE;
        };
    }

    /** {@code wrapper.isWrapperFor(iface)}: true only for what {@link #unwrap} hands out. */
    static boolean isWrapperFor(Wrapper delegate, Class<?> iface) throws SQLException {
        return proxyable(iface) && delegate.isWrapperFor(iface);
    }

    /** Whether {@code iface} is an interface that neither is nor extends a JDBC interface (which would need the real object). */
    private static boolean proxyable(Class<?> iface) {
        return iface.isInterface() && !extendsJdbc(iface);
    }

    private static boolean extendsJdbc(Class<?> iface) {
        if (jdbc(iface) && iface != Wrapper.class && iface != AutoCloseable.class) {
            return true;
        }
        for (Class<?> parent : iface.getInterfaces()) {
            if (extendsJdbc(parent)) {
                return true;
            }
        }
        return false;
    }

    private static boolean jdbc(Class<?> c) {
        String n = c.getName();
        return n.startsWith("java.sql.") || n.startsWith("javax.sql.");
    }

    private static void refuseUnlessProxyable(Object wrapper, Class<?> iface) throws VeilException {
        if (!proxyable(iface)) {
            throw new VeilException(VeilState.UNSUPPORTED_SQL, "unwrap(" + iface.getName() + ") is refused: it would hand "
                    + "out the real driver's object beneath Veil, whose SQL Veil would not see (values bound for encrypted "
                    + "columns would reach the database in plaintext). Use the JDBC interfaces, or unwrap to a vendor "
                    + "interface such as org.postgresql.PGConnection");
        }
    }

    private static Object pgConnection(VeilConnection connection, Class<?> iface, Object raw) throws SQLException {
        try {
            return PgGuards.connection(connection, iface, raw);
        } catch (LinkageError e) {
            throw new VeilException(VeilState.UNSUPPORTED_SQL, "unwrap(org.postgresql.PGConnection) is refused: Veil cannot "
                    + "load the PostgreSQL driver's classes beside its own (" + e.getClass().getSimpleName() + "), so it cannot "
                    + "guard its COPY API; put the driver and Veil on the same class path");
        }
    }

    /**
     * A proxy implementing only {@code iface} over {@code target}.
     *
     * @param special calls it answers itself (for example {@code getCopyAPI}); {@code null} for none
     */
    static Object proxy(Class<?> iface, Object target, Special special) {
        return Proxy.newProxyInstance(iface.getClassLoader(), new Class<?>[] {iface}, (self, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> self == args[0];
                    case "hashCode" -> System.identityHashCode(self);
                    default -> "Veil-guarded " + iface.getName();
                };
            }
            try {
                if (special != null) {
                    Object answer = special.answer(method, args);
                    if (answer != Special.NONE) {
                        return answer;
                    }
                }
                if (!returnsData(method)) {
                    throw new VeilException(VeilState.UNSUPPORTED_SQL, iface.getSimpleName() + "." + method.getName()
                            + "() is refused beneath Veil: what it returns could reach the database without Veil seeing it");
                }
            } catch (VeilException e) {
                throw declares(method, SQLException.class) ? e : new UnsupportedOperationException(e.getMessage(), e);
            }
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    /**
     * Whether a method may throw {@code type}; a refusal from one that may not (it declares no
     * {@code SQLException}) is an {@link UnsupportedOperationException} whose cause is the VeilException.
     */
    private static boolean declares(Method method, Class<?> type) {
        for (Class<?> e : method.getExceptionTypes()) {
            if (e.isAssignableFrom(type)) {
                return true;
            }
        }
        return false;
    }

    /** Calls a guarded proxy answers itself. */
    interface Special {
        /** Returned by {@link #answer} for calls the proxy forwards as usual. */
        Object NONE = new Object();

        Object answer(Method method, Object[] args) throws Throwable;
    }

    private static boolean returnsData(Method m) {
        Class<?> r = m.getReturnType();
        return r.isPrimitive() || r == String.class || Number.class.isAssignableFrom(r) || r == Boolean.class
                || r == Character.class || r.isEnum() || Map.class.isAssignableFrom(r) || Collection.class.isAssignableFrom(r)
                || r.isArray() && (r.getComponentType().isPrimitive() || r.getComponentType() == String.class)
                || DATA_TYPES.contains(r.getTypeName());
    }
}
