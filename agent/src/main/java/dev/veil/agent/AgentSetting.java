package dev.veil.agent;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The agent's settings. Each is read, first set wins, from the agent argument
 * ({@code -javaagent:veil-agent.jar=policy=/p.yaml,debug=true}), then the system property, then
 * the environment variable: the same precedence as the driver's {@code veil.policy}.
 */
enum AgentSetting {
    /** Path of the YAML policy. */
    POLICY("policy", "veil.policy", "VEIL_POLICY"),
    /** {@code true} prints every class the agent instruments to standard error. */
    DEBUG("debug", "veil.agent.debug", "VEIL_AGENT_DEBUG");

    private final String argument;
    private final String systemProperty;
    private final String environmentVariable;

    AgentSetting(String argument, String systemProperty, String environmentVariable) {
        this.argument = argument;
        this.systemProperty = systemProperty;
        this.environmentVariable = environmentVariable;
    }

    /**
     * Parses the agent argument: comma-separated {@code key=value} pairs.
     *
     * @throws IllegalArgumentException for an unknown key or a pair without '=' (a typo must not
     *         silently fall back to another policy)
     */
    static Map<AgentSetting, String> parse(String agentArgs) {
        Map<AgentSetting, String> values = new HashMap<>();
        if (agentArgs == null || agentArgs.isBlank()) {
            return values;
        }
        for (String pair : agentArgs.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = eq < 0 ? "" : pair.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            AgentSetting setting = null;
            for (AgentSetting s : values()) {
                if (s.argument.equals(key)) {
                    setting = s;
                }
            }
            if (setting == null) {
                throw new IllegalArgumentException("Veil agent: bad argument '" + pair.strip() + "'; expected comma-separated key=value with keys: policy, debug"
                        + " (for example -javaagent:veil-agent.jar=policy=/etc/veil/policy.yaml)");
            }
            values.put(setting, pair.substring(eq + 1).strip());
        }
        return values;
    }

    /** This setting's value by precedence: agent argument, system property, environment variable; or null. */
    String resolve(Map<AgentSetting, String> arguments, UnaryOperator<String> systemProperties, UnaryOperator<String> environment) {
        String v = arguments.get(this);
        if (isBlank(v)) {
            v = systemProperties.apply(systemProperty);
        }
        if (isBlank(v)) {
            v = environment.apply(environmentVariable);
        }
        return isBlank(v) ? null : v.strip();
    }

    String resolve(Map<AgentSetting, String> arguments) {
        return resolve(arguments, System::getProperty, System::getenv);
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
