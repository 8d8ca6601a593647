package dev.veil.keys;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.policy.MasterKeySettings;

import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

/** Finds the provider a policy names. */
public final class MasterKeyProviders {
    private MasterKeyProviders() {
    }

    /**
     * Creates the master-key provider named by {@code settings}.
     *
     * @throws VeilException {@code VE001} when no provider has that name
     */
    public static MasterKeyProvider create(MasterKeySettings settings) throws VeilException {
        return factory(settings).create(settings);
    }

    /**
     * The factory of the provider named by {@code settings}.
     *
     * @throws VeilException {@code VE001} when no provider has that name
     */
    public static MasterKeyProviderFactory factory(MasterKeySettings settings) throws VeilException {
        Set<String> known = new TreeSet<>();
        for (MasterKeyProviderFactory f : ServiceLoader.load(MasterKeyProviderFactory.class, MasterKeyProviders.class.getClassLoader())) {
            if (f.name().equals(settings.provider())) {
                return f;
            }
            known.add(f.name());
        }
        throw new VeilException(VeilState.POLICY_INVALID, settings.markOf("provider") + ": unknown master-key provider '"
                + settings.provider() + "'; expected one of: " + String.join(", ", known));
    }

    /** Reads a required setting or fails naming it and where the master mapping is. */
    static String required(MasterKeySettings s, String name, String example) throws VeilException {
        String v = s.settings().get(name);
        if (v == null || v.isBlank()) {
            throw new VeilException(VeilState.POLICY_INVALID, s.mark() + ": master key provider '" + s.provider()
                    + "' needs '" + name + "' (for example " + name + ": " + example + ")");
        }
        return v;
    }

    /** Fails on settings the provider does not know, so typos are caught. */
    static void onlyKnown(MasterKeySettings s, Set<String> allowed) throws VeilException {
        for (String key : s.settings().keySet()) {
            if (!allowed.contains(key)) {
                throw new VeilException(VeilState.POLICY_INVALID, s.markOf(key) + ": unknown setting '" + key
                        + "' for master key provider '" + s.provider() + "'; expected one of: provider, "
                        + String.join(", ", new TreeSet<>(allowed)));
            }
        }
    }

    /** The value of an environment variable named by a setting, or a clear error. */
    static String env(MasterKeySettings s, String setting, String variable) throws VeilException {
        String v = System.getenv(variable);
        if (v == null || v.isEmpty()) {
            throw new VeilException(VeilState.MASTER_KEY_UNAVAILABLE, s.markOf(setting) + ": environment variable "
                    + variable + " is not set");
        }
        return v;
    }
}
