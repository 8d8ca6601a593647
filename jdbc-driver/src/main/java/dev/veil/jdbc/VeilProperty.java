package dev.veil.jdbc;

import java.sql.DriverPropertyInfo;
import java.util.Properties;

/**
 * Veil's connection properties. Each can be given as a connection property or as a parameter of
 * the {@code jdbc:veil:} URL; Veil removes them before the real driver sees the URL and properties.
 */
public enum VeilProperty {
    /**
     * Path of the YAML column policy. Precedence: connection property or URL parameter, then the
     * system property {@code veil.policy}, then the environment variable {@code VEIL_POLICY}.
     */
    POLICY("veil.policy", "VEIL_POLICY",
            "Path of the YAML column policy (else system property veil.policy, else environment variable VEIL_POLICY)");

    /** Every Veil property starts with this; such properties are never passed to the real driver. */
    public static final String PREFIX = "veil.";

    private final String key;
    private final String environmentVariable;
    private final String description;

    VeilProperty(String key, String environmentVariable, String description) {
        this.key = key;
        this.environmentVariable = environmentVariable;
        this.description = description;
    }

    public String key() {
        return key;
    }

    /** The value by Veil's precedence: properties, system property, environment variable; or null. */
    public String resolve(Properties props) {
        String v = props == null ? null : props.getProperty(key);
        if (isBlank(v)) {
            v = System.getProperty(key);
        }
        if (isBlank(v) && environmentVariable != null) {
            v = System.getenv(environmentVariable);
        }
        return isBlank(v) ? null : v.strip();
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    DriverPropertyInfo info(Properties props) {
        DriverPropertyInfo info = new DriverPropertyInfo(key, resolve(props));
        info.description = description;
        info.required = true;
        return info;
    }
}
