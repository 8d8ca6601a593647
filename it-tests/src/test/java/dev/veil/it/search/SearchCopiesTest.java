package dev.veil.it.search;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;

/**
 * A search it-test over the {@link SearchFixture} tables: a fresh database with both tables filled,
 * a raw connection and one through Veil, opened once for the test class and dropped after it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SearchCopiesTest {
    SearchFixture.Copies copies;
    Connection raw;
    Connection veil;

    /** How many rows the tables get. */
    abstract int rows();

    /** What the class adds once the tables are filled (views, columns); nothing by default. */
    void prepare() throws Exception {
    }

    @BeforeAll
    void open(@TempDir Path dir) throws Exception {
        copies = SearchFixture.open(dir, rows());
        raw = copies.raw();
        veil = copies.veil();
        prepare();
    }

    @AfterAll
    void close() throws Exception {
        copies.close();
    }
}
