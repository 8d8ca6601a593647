package dev.veil.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BenchSettingsTest {
    @Test
    void mariaDbRoundsAreLongerByDefault() {
        assertEquals(BenchSettings.MARIADB_MEASURE_SECONDS, BenchSettings.parse(new String[] {"jdbc:mariadb://127.0.0.1:3306/test?user=root"}).measureSeconds());
        assertEquals(3, BenchSettings.parse(new String[] {"jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres"}).measureSeconds());
    }

    @Test
    void anExplicitMeasureWinsOnMariaDb() {
        assertEquals(2, BenchSettings.parse(new String[] {"--measure", "2", "jdbc:mariadb://127.0.0.1:3306/test"}).measureSeconds());
        assertEquals(2, BenchSettings.parse(new String[] {"--quick", "jdbc:mariadb://127.0.0.1:3306/test"}).measureSeconds());
    }
}
