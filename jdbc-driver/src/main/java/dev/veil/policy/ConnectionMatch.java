package dev.veil.policy;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Which connections a policy applies to when Veil wraps connections it did not open itself (the
 * Java agent). A connection matches when its JDBC URL matches one of {@code urls} or its database
 * name matches one of {@code databases}; with neither listed, every connection matches, the
 * fail-closed choice for the application the policy was written for.
 *
 * <p>Patterns are literal text where {@code *} stands for any run of characters. URLs are compared
 * without their parameters (from the first {@code ?} on), so credentials never take part.
 *
 * @param urls JDBC URL patterns, for example {@code jdbc:postgresql://db.internal:5432/*}
 * @param databases database-name patterns, for example {@code shop} or {@code shop_*}
 */
public record ConnectionMatch(List<String> urls, List<String> databases) {
    /** Matches every connection: a policy without a {@code match} section. */
    public static final ConnectionMatch ALL = new ConnectionMatch(List.of(), List.of());

    public ConnectionMatch {
        urls = List.copyOf(urls);
        databases = List.copyOf(databases);
    }

    /** Whether this matches every connection. */
    public boolean matchesAll() {
        return urls.isEmpty() && databases.isEmpty();
    }

    /**
     * Whether a connection is one the policy protects. What cannot be determined counts as a
     * match: only a connection known not to match is left alone.
     *
     * @param url the connection's JDBC URL, or {@code null} when unknown
     * @param database the connection's database (catalog) name, or {@code null} when unknown
     */
    public boolean matches(String url, String database) {
        if (matchesAll()) {
            return true;
        }
        boolean unknown = false;
        if (!urls.isEmpty()) {
            if (url == null) {
                unknown = true;
            } else {
                String bare = withoutParameters(url);
                for (String p : urls) {
                    if (glob(p, bare)) {
                        return true;
                    }
                }
            }
        }
        if (!databases.isEmpty()) {
            if (database == null) {
                unknown = true;
            } else {
                for (String p : databases) {
                    if (glob(p, database)) {
                        return true;
                    }
                }
            }
        }
        return unknown;
    }

    /** Whether the database name is needed to decide (so callers can skip asking the connection). */
    public boolean needsDatabase() {
        return !databases.isEmpty();
    }

    /** Whether the URL is needed to decide. */
    public boolean needsUrl() {
        return !urls.isEmpty();
    }

    static String withoutParameters(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    static boolean glob(String pattern, String text) {
        StringBuilder re = new StringBuilder();
        int from = 0;
        for (int star = pattern.indexOf('*'); star >= 0; star = pattern.indexOf('*', from)) {
            re.append(Pattern.quote(pattern.substring(from, star))).append(".*");
            from = star + 1;
        }
        re.append(Pattern.quote(pattern.substring(from)));
        return Pattern.compile(re.toString(), Pattern.DOTALL).matcher(text).matches();
    }
}
