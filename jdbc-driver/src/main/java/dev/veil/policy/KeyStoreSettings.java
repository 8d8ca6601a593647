package dev.veil.policy;

/**
 * Where data keys are stored.
 *
 * @param table the key table (default {@code veil_keys})
 * @param url a JDBC URL of a separate database, or {@code null} for the application's own database
 * @param user the user for {@code url}, or {@code null}
 * @param passwordEnv the environment variable holding the password for {@code url}, or {@code null}
 */
public record KeyStoreSettings(String table, String url, String user, String passwordEnv) {
    public static final String DEFAULT_TABLE = "veil_keys";

    public static KeyStoreSettings defaults() {
        return new KeyStoreSettings(DEFAULT_TABLE, null, null, null);
    }
}
