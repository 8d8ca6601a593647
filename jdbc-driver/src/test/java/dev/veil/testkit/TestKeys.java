package dev.veil.testkit;

import dev.veil.VeilException;
import dev.veil.keys.Pkcs12MasterKeyProvider;

import java.nio.file.Path;

/**
 * Master keys for tests. The surefire configuration sets {@value #PASSWORD_ENV} (and a wrong one)
 * so policies can name it like production policies do.
 */
public final class TestKeys {
    public static final String PASSWORD_ENV = "VEIL_TEST_MASTER_PASSWORD";
    public static final String WRONG_PASSWORD_ENV = "VEIL_TEST_WRONG_PASSWORD";
    public static final String ENV_MASTER_KEY = "VEIL_TEST_ENV_MASTER_KEY";
    public static final String ALIAS = "veil-master";

    private TestKeys() {
    }

    /** The password in {@value #PASSWORD_ENV}. */
    public static char[] password() {
        String p = System.getenv(PASSWORD_ENV);
        if (p == null) {
            throw new IllegalStateException(PASSWORD_ENV + " is not set; run the tests through Maven (surefire sets it)");
        }
        return p.toCharArray();
    }

    /** Creates a PKCS#12 keystore with a fresh master key under {@link #ALIAS} in {@code dir}. */
    public static Path keystore(Path dir) throws VeilException {
        Path p = dir.resolve("master.p12");
        Pkcs12MasterKeyProvider.createKeystore(p, password(), ALIAS);
        return p;
    }

    /** A policy's keys section for a keystore at {@code keystore}, plus {@code extra} lines under keys. */
    public static String keysYaml(Path keystore, String... extra) {
        StringBuilder sb = new StringBuilder("keys:\n  master: { provider: pkcs12, path: '" + keystore.toString().replace("'", "''")
                + "', password-env: " + PASSWORD_ENV + ", alias: " + ALIAS + " }\n");
        for (String line : extra) {
            sb.append("  ").append(line).append('\n');
        }
        return sb.toString();
    }
}
