package dev.veil.policy;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as policies and the CLI write them: {@code 90d}, {@code 12h}, {@code 30m}, {@code 45s}, {@code 2w}, or {@code never}. */
public final class Durations {
    /** What a bad duration is told it should look like. */
    public static final String EXPECTED = "a positive number with a unit s, m, h, d or w (for example 90d)";
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(s|m|h|d|w)");

    private Durations() {
    }

    /**
     * @return the duration, or {@code null} for {@code never}
     * @throws IllegalArgumentException when {@code text} is not a positive duration or {@code never}
     */
    public static Duration parse(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        if (s.equals("never")) {
            return null;
        }
        Matcher m = DURATION.matcher(s);
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new IllegalArgumentException("bad duration '" + s + "'; expected " + EXPECTED + ", or 'never'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
        };
    }
}
