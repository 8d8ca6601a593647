package dev.veil.policy;

import java.util.Map;

/**
 * The master-key provider and its provider-specific settings, as written in the policy. The
 * provider validates its own settings and reports errors against {@link #markOf(String)}.
 *
 * @param provider provider name, for example {@code pkcs12}
 * @param settings the other keys of the {@code master} mapping, as strings
 * @param marks where each setting was written
 * @param mark where the {@code master} mapping starts
 */
public record MasterKeySettings(String provider, Map<String, String> settings, Map<String, SourceMark> marks,
                                SourceMark mark) {

    public MasterKeySettings {
        settings = Map.copyOf(settings);
        marks = Map.copyOf(marks);
    }

    /** Where a setting was written, or where the mapping starts when it is absent. */
    public SourceMark markOf(String setting) {
        return marks.getOrDefault(setting, mark);
    }

    @Override
    public String toString() {
        // settings name environment variables and paths, never secrets, but keep toString minimal anyway
        return "MasterKeySettings[provider=" + provider + ", settings=" + settings.keySet() + "]";
    }
}
