package dev.veil.it.behaviour;

import dev.veil.jdbc.VeilDataSource;
import dev.veil.testkit.ShopSchema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Path;

/** The behaviour suite with the application on {@code jdbc:veil:} URLs and a VeilDataSource. */
class DriverModeTest extends EncryptionBehaviourSuite {
    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        setUp(dir.resolve("policy.yaml"));
    }

    @Override
    protected String appUrl() {
        return ShopSchema.veilUrl(db, policy);
    }

    @Override
    protected DataSource appDataSource(DataSource real) {
        return new VeilDataSource(real, policy.toString());
    }
}
