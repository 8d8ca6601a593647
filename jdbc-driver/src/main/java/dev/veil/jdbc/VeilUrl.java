package dev.veil.jdbc;

import java.util.Properties;

/**
 * A {@code jdbc:veil:} URL: the real URL behind the prefix (stripped exactly once, so
 * {@code jdbc:veil:p6spy:postgresql://…} stacks) and the {@code veil.*} parameters taken out of it.
 *
 * @param realUrl the URL handed to the real driver
 * @param veilProperties the {@code veil.*} parameters found in the URL
 */
record VeilUrl(String realUrl, Properties veilProperties) {
    static final String PREFIX = "jdbc:veil:";
    private static final String PARAM_PREFIX = "veil.";

    static boolean accepts(String url) {
        return url != null && url.startsWith(PREFIX);
    }

    /**
     * Takes every {@code veil.*} parameter out of the URL: a {@code ?}, {@code &} or {@code ;}, then
     * {@code veil.} and a name of letters, digits, {@code _}, {@code .} and {@code -}, then {@code =}
     * and a value up to the next {@code &} or {@code ;}. A scan rather than a regular expression: this
     * runs on the connecting thread before the policy is read, and the first regular expression a JVM
     * compiles costs it a few milliseconds.
     */
    static VeilUrl parse(String url) {
        String real = "jdbc:" + url.substring(PREFIX.length());
        Properties props = new Properties();
        StringBuilder out = new StringBuilder();
        int pos = 0;
        int n = real.length();
        for (int i = 0; i < n; i++) {
            char sep = real.charAt(i);
            if (sep != '?' && sep != '&' && sep != ';' || !real.startsWith(PARAM_PREFIX, i + 1)) {
                continue;
            }
            int nameEnd = i + 1 + PARAM_PREFIX.length();
            while (nameEnd < n && nameChar(real.charAt(nameEnd))) {
                nameEnd++;
            }
            if (nameEnd == i + 1 + PARAM_PREFIX.length() || nameEnd == n || real.charAt(nameEnd) != '=') {
                continue;
            }
            int end = nameEnd + 1;
            while (end < n && real.charAt(end) != '&' && real.charAt(end) != ';') {
                end++;
            }
            props.setProperty(real.substring(i + 1, nameEnd),
                    java.net.URLDecoder.decode(real.substring(nameEnd + 1, end), java.nio.charset.StandardCharsets.UTF_8));
            out.append(real, pos, i);
            // keep the separator only where it introduces the query and more parameters follow
            if (sep == '?') {
                out.append('?');
            }
            pos = end;
            i = end - 1;
        }
        out.append(real, pos, n);
        String cleaned = out.toString().replace("?&", "?");
        if (cleaned.endsWith("?")) {
            cleaned = cleaned.substring(0, cleaned.length() - 1);
        }
        return new VeilUrl(cleaned, props);
    }

    private static boolean nameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-';
    }
}
