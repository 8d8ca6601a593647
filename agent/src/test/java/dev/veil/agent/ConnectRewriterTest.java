package dev.veil.agent;

import dev.veil.agent.bootstrap.VeilBridge;
import dev.veil.agent.subjects.BranchyDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rewritten classes load (the verifier checks them), report each outermost call, and rethrow what they throw. */
class ConnectRewriterTest {
    final List<String> hooked = new ArrayList<>();
    Object driver;
    Class<?> rewritten;

    @BeforeEach
    void load() throws Exception {
        byte[] original = PrefilteringTransformerTest.classFile(BranchyDriver.class);
        byte[] bytes = ConnectRewriter.rewrite(original);
        assertNotNull(bytes);
        String name = BranchyDriver.class.getName();
        ClassLoader loader = new ClassLoader(getClass().getClassLoader()) {
            @Override
            protected Class<?> loadClass(String n, boolean resolve) throws ClassNotFoundException {
                if (n.equals(name)) {
                    synchronized (getClassLoadingLock(n)) {
                        Class<?> c = findLoadedClass(n);
                        return c != null ? c : defineClass(n, bytes, 0, bytes.length);
                    }
                }
                return super.loadClass(n, resolve);
            }
        };
        rewritten = Class.forName(name, true, loader);
        driver = rewritten.getConstructor().newInstance();
        VeilBridge.install(new VeilBridge.Hook() {
            @Override
            public boolean accepts(Object source, boolean isDriver) {
                return source == driver;
            }

            @Override
            public Object afterConnect(boolean isDriver, Object source, Object[] args, Object connection) {
                hooked.add((isDriver ? "driver " : "data source ") + args.length + " " + connection);
                return BranchyDriver.connection("wrapped:" + connection);
            }
        });
    }

    @AfterEach
    void uninstall() {
        VeilBridge.install(null);
    }

    private Object call(String method, Class<?>[] types, Object... args) throws Throwable {
        Method m = rewritten.getMethod(method, types);
        try {
            return m.invoke(java.lang.reflect.Modifier.isStatic(m.getModifiers()) ? null : driver, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private Object connect(String url) throws Throwable {
        return call("connect", new Class<?>[] {String.class, Properties.class}, url, new Properties());
    }

    @Test
    void everyReturnOfAConnectionIsHooked() throws Throwable {
        assertEquals("wrapped:jdbc:x", connect("jdbc:x").toString());
        assertEquals("wrapped:caught:inner", connect("caught").toString());
        assertEquals("wrapped:none", connect(null).toString());
        assertNull(connect("none-such"));
        assertEquals(List.of("driver 2 jdbc:x", "driver 2 caught:inner", "driver 2 none"), hooked);
    }

    @Test
    void dataSourceMethodsAreHookedButNotOtherSignatures() throws Throwable {
        assertEquals("wrapped:no-args", call("getConnection", new Class<?>[0]).toString());
        assertEquals("wrapped:ann", call("getConnection", new Class<?>[] {String.class, String.class}, "ann", "secret").toString());
        assertEquals("bob", call("getConnection", new Class<?>[] {String.class}, "bob").toString());
        assertEquals(List.of("data source 0 no-args", "data source 2 ann"), hooked);
    }

    @Test
    void aThrowingCallRethrowsAndLeavesTheDepthBalanced() throws Throwable {
        SQLException e = assertThrows(SQLException.class, () -> connect("fail"));
        assertTrue(e.getMessage().startsWith("refused "));
        assertInstanceOf(Connection.class, connect("jdbc:after"));
        assertEquals(List.of("driver 2 jdbc:after"), hooked);
    }

    @Test
    void classesWithoutSuchMethodsAndInterfacesAreLeftAlone() throws Exception {
        assertNull(ConnectRewriter.rewrite(PrefilteringTransformerTest.classFile(AgentSettingTest.class)));
        assertNull(ConnectRewriter.rewrite(PrefilteringTransformerTest.classFile(javax.sql.DataSource.class)));
    }

    @Test
    void theH2DriverStillLoadsAfterRewriting() throws Exception {
        byte[] bytes = ConnectRewriter.rewrite(PrefilteringTransformerTest.classFile(org.h2.Driver.class));
        assertNotNull(bytes);
        assertNotNull(new ConnectTransformer(false).transform(null, "org/h2/Driver", null, null,
                PrefilteringTransformerTest.classFile(org.h2.Driver.class)));
        // already instrumented: not again
        assertNull(new ConnectTransformer(false).transform(null, "org/h2/Driver", null, null, bytes));
        assertNull(new ConnectTransformer(false).transform(null, "java/sql/Fake", null, null, bytes));
    }
}
