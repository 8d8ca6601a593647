package dev.veil.agent;

import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.pool.TypePool;

import java.util.Map;
import java.util.WeakHashMap;

/**
 * Remembers, per class loader, the class files Byte Buddy parsed to answer "is this a Driver or a
 * DataSource?". Without it every class the application loads makes Byte Buddy re-read the class
 * files of all its super types, which in a Spring Boot app cost seconds of start-up CPU. Class
 * loaders are held weakly and the parsed types softly, so nothing outlives its loader or the heap.
 */
final class TypePoolCache extends AgentBuilder.PoolStrategy.WithTypePoolCache {
    private final Map<ClassLoader, TypePool.CacheProvider> byLoader = new WeakHashMap<>();
    private final TypePool.CacheProvider bootstrap = new TypePool.CacheProvider.Simple.UsingSoftReference();

    TypePoolCache() {
        super(TypePool.Default.ReaderMode.FAST);
    }

    @Override
    protected TypePool.CacheProvider locate(ClassLoader classLoader) {
        if (classLoader == null) {
            return bootstrap;
        }
        synchronized (byLoader) {
            return byLoader.computeIfAbsent(classLoader, l -> new TypePool.CacheProvider.Simple.UsingSoftReference());
        }
    }
}
