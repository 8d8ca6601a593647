package dev.veil.spring.boot;

import dev.veil.jdbc.VeilDataSource;

import javax.sql.DataSource;
import java.sql.SQLException;

/**
 * The {@link VeilDataSource} the starter puts in place of a DataSource bean. It admits to wrapping
 * nothing but itself: Spring Boot's {@code DataSourceUnwrapper} casts what {@code unwrap} returns
 * to the pool's class (HikariDataSource), and the pool itself must never be handed out beneath
 * Veil, since its connections would bypass encryption. Boot's pool metadata and pool meters are
 * therefore not available for a wrapped pool.
 */
final class BootVeilDataSource extends VeilDataSource {
    BootVeilDataSource(DataSource delegate, String policyPath) {
        super(delegate, policyPath);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("this Veil DataSource does not hand out " + iface.getName() + ": what lies beneath it would bypass encryption");
    }
}
