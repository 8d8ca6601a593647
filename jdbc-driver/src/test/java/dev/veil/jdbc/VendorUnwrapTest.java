package dev.veil.jdbc;

import dev.veil.VeilException;
import dev.veil.VeilState;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Wrapper;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What unwrap hands out beneath a Veil wrapper: guarded proxies of vendor interfaces, never the driver's objects. */
class VendorUnwrapTest {
    /** A vendor interface with data methods and one that would hand out a path to SQL. */
    public interface VendorApi {
        int threshold();

        List<String> names();

        Connection connection();

        Connection connectionOrError() throws SQLException;
    }

    /** A vendor interface that is also a JDBC connection (like pgjdbc's BaseConnection). */
    public interface VendorConnection extends Connection {
    }

    /** The driver's object: implements the vendor interface; the test only needs its Wrapper side. */
    static final class DriverObject implements VendorApi, Wrapper {
        @Override
        public int threshold() {
            return 5;
        }

        @Override
        public List<String> names() {
            return List.of("a");
        }

        @Override
        public Connection connection() {
            throw new AssertionError("must not be reached");
        }

        @Override
        public Connection connectionOrError() {
            throw new AssertionError("must not be reached");
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            if (iface.isInstance(this)) {
                return iface.cast(this);
            }
            throw new SQLException("not a wrapper for " + iface.getName());
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return iface.isInstance(this) || iface == VendorConnection.class;
        }
    }

    private final DriverObject driver = new DriverObject();

    @Test
    void vendorInterfacesComeBackAsProxiesThatForwardDataOnly() throws Exception {
        VendorApi api = VendorUnwrap.unwrap(new Object(), driver, VendorApi.class);
        assertFalse(api instanceof DriverObject);
        assertFalse(api instanceof Wrapper);
        assertEquals(5, api.threshold());
        assertEquals(List.of("a"), api.names());
        VeilException e = assertThrows(VeilException.class, api::connectionOrError);
        assertEquals(VeilState.UNSUPPORTED_SQL, e.state());
        assertTrue(e.getMessage().contains("VendorApi.connectionOrError()"), e.getMessage());
        // a method that declares no SQLException cannot throw one: the refusal is unchecked, caused by it
        UnsupportedOperationException u = assertThrows(UnsupportedOperationException.class, api::connection);
        assertEquals(VeilState.UNSUPPORTED_SQL, ((VeilException) u.getCause()).state());
        assertTrue(VendorUnwrap.isWrapperFor(driver, VendorApi.class));
    }

    @Test
    void classesAndInterfacesExtendingJdbcAreRefused() throws Exception {
        for (Class<?> iface : new Class<?>[] {DriverObject.class, VendorConnection.class}) {
            VeilException e = assertThrows(VeilException.class, () -> VendorUnwrap.unwrap(new Object(), driver, iface));
            assertEquals(VeilState.UNSUPPORTED_SQL, e.state());
            assertTrue(e.getMessage().startsWith("unwrap(" + iface.getName() + ") is refused"), e.getMessage());
            assertFalse(VendorUnwrap.isWrapperFor(driver, iface));
        }
        // what the driver does not wrap keeps the driver's own answer
        assertThrows(SQLException.class, () -> VendorUnwrap.unwrap(new Object(), driver, Runnable.class));
        assertFalse(VendorUnwrap.isWrapperFor(driver, Runnable.class));
    }
}
