package dev.veil.agent;

import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.logging.Logger;

import static dev.veil.agent.PrefilteringTransformerTest.classFile;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassFileScanTest {
    /** Calls getConnection but declares none: not a candidate. */
    static final class Caller {
        static Connection open() throws SQLException {
            double d = 1.5; // an eight-byte constant in the pool
            return DriverManager.getConnection("jdbc:x:" + d + Long.MAX_VALUE);
        }
    }

    abstract static class AbstractSource implements DataSource {
        @Override
        public abstract Connection getConnection() throws SQLException;
    }

    static final class Source extends AbstractSource {
        @Override
        public Connection getConnection() {
            return null;
        }

        @Override
        public Connection getConnection(String user, String password) {
            return null;
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() {
            return null;
        }

        @Override
        public <T> T unwrap(Class<T> iface) {
            return null;
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }

    @Test
    void findsDeclaredConnectAndGetConnection() throws Exception {
        assertTrue(ClassFileScan.declaresConnectionMethod(classFile(org.h2.Driver.class)));
        assertTrue(ClassFileScan.declaresConnectionMethod(classFile(org.h2.jdbcx.JdbcDataSource.class)));
        assertTrue(ClassFileScan.declaresConnectionMethod(classFile(Source.class)));
        assertTrue(PrefilteringTransformer.candidate(classFile(Source.class)));
    }

    @Test
    void passesOverCallersAbstractDeclarationsAndOtherClasses() throws Exception {
        assertFalse(ClassFileScan.declaresConnectionMethod(classFile(Caller.class)));
        assertFalse(PrefilteringTransformer.candidate(classFile(Caller.class)));
        assertFalse(ClassFileScan.declaresConnectionMethod(classFile(AbstractSource.class)));
        assertFalse(ClassFileScan.declaresConnectionMethod(classFile(ClassFileScanTest.class)));
    }

    @Test
    void unreadableClassFilesAreLeftToTheRewriter() {
        assertTrue(ClassFileScan.declaresConnectionMethod(new byte[]{1, 2, 3}));
        assertTrue(ClassFileScan.declaresConnectionMethod(new byte[]{(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0, 0, 61, 0, 5, 99}));
    }
}
