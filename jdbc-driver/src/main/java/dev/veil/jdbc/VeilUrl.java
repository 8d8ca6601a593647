package dev.veil.jdbc;

import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code jdbc:veil:} URL: the real URL behind the prefix (stripped exactly once, so
 * {@code jdbc:veil:p6spy:postgresql://…} stacks) and the {@code veil.*} parameters taken out of it.
 *
 * @param realUrl the URL handed to the real driver
 * @param veilProperties the {@code veil.*} parameters found in the URL
 */
record VeilUrl(String realUrl, Properties veilProperties) {
    static final String PREFIX = "jdbc:veil:";
    private static final Pattern VEIL_PARAM = Pattern.compile("([?&;])(veil\\.[A-Za-z0-9_.-]+)=([^&;]*)");

    static boolean accepts(String url) {
        return url != null && url.startsWith(PREFIX);
    }

    static VeilUrl parse(String url) {
        String real = "jdbc:" + url.substring(PREFIX.length());
        Properties props = new Properties();
        StringBuilder out = new StringBuilder();
        Matcher m = VEIL_PARAM.matcher(real);
        int pos = 0;
        while (m.find()) {
            props.setProperty(m.group(2), java.net.URLDecoder.decode(m.group(3), java.nio.charset.StandardCharsets.UTF_8));
            out.append(real, pos, m.start());
            // keep the separator only where it introduces the query and more parameters follow
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
}
