package dev.veil.agent;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentSettingTest {
    @Test
    void agentArgumentThenSystemPropertyThenEnvironment() {
        Map<String, String> props = Map.of("veil.policy", "/from/property.yaml");
        Map<String, String> env = Map.of("VEIL_POLICY", "/from/env.yaml");
        assertEquals("/from/arg.yaml", AgentSetting.POLICY.resolve(AgentSetting.parse("policy=/from/arg.yaml"), props::get, env::get));
        assertEquals("/from/property.yaml", AgentSetting.POLICY.resolve(AgentSetting.parse(null), props::get, env::get));
        assertEquals("/from/env.yaml", AgentSetting.POLICY.resolve(AgentSetting.parse(""), k -> null, env::get));
        assertEquals("/from/env.yaml", AgentSetting.POLICY.resolve(AgentSetting.parse("policy= "), k -> " ", env::get), "blank counts as unset");
        assertNull(AgentSetting.POLICY.resolve(Map.of(), k -> null, k -> null));
    }

    @Test
    void parsesCommaSeparatedPairs() {
        Map<AgentSetting, String> s = AgentSetting.parse(" policy = /etc/veil/p.yaml , debug=true,");
        assertEquals("/etc/veil/p.yaml", s.get(AgentSetting.POLICY));
        assertEquals("true", s.get(AgentSetting.DEBUG));
        assertEquals("a=b.yaml", AgentSetting.parse("policy=a=b.yaml").get(AgentSetting.POLICY), "only the first '=' separates");
    }

    @Test
    void rejectsTyposInsteadOfFallingBackSilently() {
        String m = assertThrows(IllegalArgumentException.class, () -> AgentSetting.parse("polcy=/etc/veil/p.yaml")).getMessage();
        assertTrue(m.contains("bad argument 'polcy=/etc/veil/p.yaml'"), m);
        assertThrows(IllegalArgumentException.class, () -> AgentSetting.parse("/etc/veil/p.yaml"));
    }
}
