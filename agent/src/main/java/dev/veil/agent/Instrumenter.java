package dev.veil.agent;

import dev.veil.agent.bootstrap.VeilBridge;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.instrument.Instrumentation;
import java.util.Properties;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.isMethod;
import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * The Byte Buddy setup: advice on every implementation of {@code java.sql.Driver#connect(String,
 * Properties)} and {@code javax.sql.DataSource#getConnection()} / {@code getConnection(String,
 * String)}, in whatever class loader the driver or pool lives.
 *
 * <p>Only methods declared to return exactly {@code java.sql.Connection} are instrumented: a
 * covariant override returning a vendor type (its bridge method is instrumented instead) could not
 * return Veil's wrapper.
 */
final class Instrumenter {
    private static final Logger LOG = LoggerFactory.getLogger(Instrumenter.class);

    private Instrumenter() {
    }

    static void start(String policyPath, boolean debug, boolean attached, Instrumentation inst) {
        long started = System.nanoTime();
        if (VeilBridge.class.getClassLoader() != null) {
            throw new IllegalStateException("Veil agent: its bridge was loaded by " + VeilBridge.class.getClassLoader()
                    + " instead of the bootstrap class loader; connections cannot be wrapped reliably");
        }
        VeilBridge.install(new ConnectionInterceptor(policyPath));
        ElementMatcher.Junction<MethodDescription> connect = isMethod().and(not(isAbstract())).and(named("connect"))
                .and(takesArguments(String.class, Properties.class)).and(returns(named("java.sql.Connection")));
        ElementMatcher.Junction<MethodDescription> getConnection = isMethod().and(not(isAbstract())).and(named("getConnection"))
                .and(takesArguments(0).or(takesArguments(String.class, String.class))).and(returns(named("java.sql.Connection")));
        // parsed once here, not again for every class transformed
        AsmVisitorWrapper driverAdvice = Advice.to(DriverConnectAdvice.class).on(connect);
        AsmVisitorWrapper dataSourceAdvice = Advice.to(DataSourceConnectAdvice.class).on(getConnection);
        AsmVisitorWrapper bridges = new BridgeConnectVisitor();
        AgentBuilder builder = new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(new TypePoolCache())
                // at start-up no driver is loaded yet; scanning the loaded classes is only worth it when attached later
                .with(attached ? AgentBuilder.RedefinitionStrategy.RETRANSFORMATION : AgentBuilder.RedefinitionStrategy.DISABLED)
                .with(new ErrorLogger())
                .ignore(nameStartsWith("dev.veil.agent.").or(nameStartsWith("dev.veil.shaded.")).or(nameStartsWith("net.bytebuddy."))
                        .or(nameStartsWith("java.")).or(nameStartsWith("javax.")).or(nameStartsWith("jdk.")).or(nameStartsWith("sun."))
                        .or(nameStartsWith("com.sun.")).or(isSynthetic()));
        if (debug) {
            builder = builder.with(AgentBuilder.Listener.StreamWriting.toSystemError().withTransformationsOnly());
        }
        AgentBuilder.Identified.Extendable configured = builder
                .type(not(isInterface()).and(hasSuperType(named("java.sql.Driver").or(named("javax.sql.DataSource")))))
                .transform((b, type, loader, module, domain) -> b.visit(driverAdvice).visit(dataSourceAdvice).visit(bridges));
        if (attached) {
            configured.installOn(inst); // also retransforms the drivers already loaded
        } else {
            inst.addTransformer(new PrefilteringTransformer(configured.makeRaw()), false);
        }
        LOG.info("Veil agent installed in {} ms; policy {}", (System.nanoTime() - started) / 1_000_000,
                policyPath == null ? "not set (connections will be refused)" : policyPath);
    }

    /**
     * Byte Buddy reports problems with single classes here; they never reach the application.
     * Most are classes whose super types are absent (optional framework parts), so they are debug-level.
     */
    private static final class ErrorLogger extends AgentBuilder.Listener.Adapter {
        @Override
        public void onError(String typeName, ClassLoader classLoader, JavaModule module, boolean loaded, Throwable throwable) {
            LOG.debug("Veil agent could not instrument {}: {}", typeName, throwable.toString());
        }

        @Override
        public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module, boolean loaded, DynamicType dynamicType) {
            LOG.debug("Veil agent instrumented {}", type.getName());
        }
    }
}
