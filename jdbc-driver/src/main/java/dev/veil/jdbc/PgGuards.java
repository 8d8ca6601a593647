package dev.veil.jdbc;

import dev.veil.VeilException;
import dev.veil.VeilState;
import org.postgresql.PGConnection;
import org.postgresql.core.BaseConnection;

import java.sql.SQLException;

/**
 * The guarded {@link PGConnection} a {@link VeilConnection} hands out for
 * {@code unwrap(PGConnection.class)}. Loaded only when an application asks for it, so Veil runs
 * without the PostgreSQL driver on the class path.
 */
final class PgGuards {
    private PgGuards() {
    }

    /**
     * A proxy implementing only {@code PGConnection} over the real one: its {@code getCopyAPI()} is a
     * {@link GuardedCopyManager}; {@code getFastpathAPI()} and {@code getReplicationAPI()}, which can
     * reach tables without SQL Veil sees, are refused.
     */
    static Object connection(VeilConnection connection, Class<?> iface, Object raw) throws SQLException {
        if (iface != PGConnection.class) {
            throw new LinkageError("org.postgresql.PGConnection comes from another class loader");
        }
        GuardedCopyManager[] copy = new GuardedCopyManager[1];
        return VendorUnwrap.proxy(iface, raw, (method, args) -> switch (method.getName()) {
            case "getCopyAPI" -> {
                if (copy[0] == null) {
                    copy[0] = new GuardedCopyManager(connection, connection.rawUnwrap(BaseConnection.class));
                }
                yield copy[0];
            }
            case "getFastpathAPI", "getReplicationAPI" -> throw new VeilException(VeilState.UNSUPPORTED_SQL,
                    "PGConnection." + method.getName() + "() is refused beneath Veil: it reaches the database without SQL "
                            + "Veil can see, so values bound for encrypted columns could pass in plaintext");
            default -> VendorUnwrap.Special.NONE;
        });
    }
}
