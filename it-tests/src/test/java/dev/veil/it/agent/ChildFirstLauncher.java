package dev.veil.it.agent;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Starts an application the way a servlet container starts a web app: its classes and its JDBC
 * driver live only in a child-first class loader, invisible to the system class loader (where
 * the agent is). Usage: {@code ChildFirstLauncher <class-path> <main-class> [args…]}.
 */
public final class ChildFirstLauncher {
    private ChildFirstLauncher() {
    }

    public static void main(String[] args) throws Throwable {
        List<URL> urls = new ArrayList<>();
        for (String entry : args[0].split(File.pathSeparator)) {
            urls.add(Path.of(entry).toUri().toURL());
        }
        ChildFirstLoader loader = new ChildFirstLoader(urls.toArray(new URL[0]), ClassLoader.getSystemClassLoader());
        Thread.currentThread().setContextClassLoader(loader);
        Class<?> main = Class.forName(args[1], true, loader);
        main.getMethod("main", String[].class).invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
        Class<?> driver = Class.forName("org.postgresql.Driver", false, loader);
        System.out.println("LAUNCHER driver loaded by " + driver.getClassLoader().getClass().getSimpleName());
    }

    /** Looks in its own URLs first, then asks the parent (except for the platform's classes). */
    static final class ChildFirstLoader extends URLClassLoader {
        ChildFirstLoader(URL[] urls, ClassLoader parent) {
            super(urls, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null && !name.startsWith("java.") && !name.startsWith("javax.")) {
                    try {
                        c = findClass(name);
                    } catch (ClassNotFoundException notHere) {
                        // fall through to the parent
                    }
                }
                if (c == null) {
                    c = super.loadClass(name, false);
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
    }
}
