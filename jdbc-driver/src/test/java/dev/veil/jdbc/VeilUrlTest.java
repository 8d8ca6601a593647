package dev.veil.jdbc;

import org.junit.jupiter.api.Test;

import java.util.Properties;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

class VeilUrlTest {
    /** The regular expression the URL was read with before the scan; the scan must take out exactly what it took out. */
    private static final Pattern VEIL_PARAM = Pattern.compile("([?&;])(veil\\.[A-Za-z0-9_.-]+)=([^&;]*)");

    private static VeilUrl byRegex(String url) {
        String real = "jdbc:" + url.substring(VeilUrl.PREFIX.length());
        Properties props = new Properties();
        StringBuilder out = new StringBuilder();
        Matcher m = VEIL_PARAM.matcher(real);
        int pos = 0;
        while (m.find()) {
            props.setProperty(m.group(2), java.net.URLDecoder.decode(m.group(3), java.nio.charset.StandardCharsets.UTF_8));
            out.append(real, pos, m.start());
            if (m.group(1).equals("?")) {
                out.append('?');
            }
            pos = m.end();
        }
        out.append(real, pos, real.length());
        String cleaned = out.toString().replace("?&", "?");
        if (cleaned.endsWith("?")) {
            cleaned = cleaned.substring(0, cleaned.length() - 1);
        }
        return new VeilUrl(cleaned, props);
    }

    @Test
    void takesOutTheVeilParametersAndKeepsTheRest() {
        VeilUrl u = VeilUrl.parse("jdbc:veil:postgresql://db:5432/app?user=me&veil.policy=/etc/veil/policy.yaml&ssl=true");
        assertEquals("jdbc:postgresql://db:5432/app?user=me&ssl=true", u.realUrl());
        assertEquals("/etc/veil/policy.yaml", u.veilProperties().getProperty("veil.policy"));
        u = VeilUrl.parse("jdbc:veil:postgresql://db/app?veil.policy=p%20q.yaml&user=me");
        assertEquals("jdbc:postgresql://db/app?user=me", u.realUrl());
        assertEquals("p q.yaml", u.veilProperties().getProperty("veil.policy"));
        u = VeilUrl.parse("jdbc:veil:p6spy:mariadb://db/app;veil.policy=a.yaml");
        assertEquals("jdbc:p6spy:mariadb://db/app", u.realUrl());
        assertEquals("a.yaml", u.veilProperties().getProperty("veil.policy"));
    }

    @Test
    void readsEveryUrlAsTheRegularExpressionDid() {
        String[] fixed = {"jdbc:veil:postgresql://h/d", "jdbc:veil:postgresql://h/d?", "jdbc:veil:postgresql://h/d?veil.policy=",
            "jdbc:veil:postgresql://h/d?veil.=x", "jdbc:veil:postgresql://h/d?veil.policy", "jdbc:veil:postgresql://h/d?veil.policy=a=b&x=1",
            "jdbc:veil:postgresql://h/d?veilpolicy=a", "jdbc:veil:postgresql://h/d?xveil.policy=a", "jdbc:veil:x://h/d?a=1;veil.a.b-c_d=2;b=3",
            "jdbc:veil:postgresql://h/d?veil.policy=a&&veil.policy=b", "jdbc:veil:postgresql://h/d?&veil.x=1", "jdbc:veil:h2:mem:t;veil.policy=p;MODE=MySQL",
            "jdbc:veil:postgresql://h/d?veil.p!=1&veil.q=2", "jdbc:veil:postgresql://h/d?veil.policy=%zz"};
        for (String url : fixed) {
            assertSame(url);
        }
        String alphabet = "?&;=.veilpoyV_-%2a/:";
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder(VeilUrl.PREFIX);
            int n = random.nextInt(30);
            for (int j = 0; j < n; j++) {
                if (random.nextInt(6) == 0) {
                    b.append("veil.");
                } else {
                    b.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            String url = b.toString();
            VeilUrl expected;
            try {
                expected = byRegex(url);
            } catch (IllegalArgumentException e) {
                continue; // a malformed %-escape fails both ways alike
            }
            assertEquals(expected, VeilUrl.parse(url), url);
        }
    }

    private static void assertSame(String url) {
        VeilUrl expected;
        try {
            expected = byRegex(url);
        } catch (IllegalArgumentException e) {
            try {
                VeilUrl.parse(url);
            } catch (IllegalArgumentException again) {
                return;
            }
            throw new AssertionError("the scan read " + url + ", the regular expression refused it");
        }
        assertEquals(expected, VeilUrl.parse(url), url);
    }
}
