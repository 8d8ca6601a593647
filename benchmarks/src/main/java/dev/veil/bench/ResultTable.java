package dev.veil.bench;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The measured scenarios as a markdown table: throughput per mode (each mode's best round), ratios
 * of those to RAW, the spread of VEIL/RAW within single rounds, goal and verdict.
 */
final class ResultTable {
    /**
     * One line of the table.
     *
     * @param goal the least VEIL/RAW ratio the issue asks for, or {@code null} when there is none
     * @param roundRatios VEIL/RAW within each round (the modes ran back to back), showing how far
     *        the machine's noise moves the ratio
     */
    record Row(String scenario, String unit, int threads, Double goal, Map<Mode, Measurement> best, List<Double> roundRatios) {
        Double ratio(Mode m) {
            Measurement raw = best.get(Mode.RAW);
            Measurement x = best.get(m);
            return raw == null || x == null ? null : x.perSecond() / raw.perSecond();
        }

        Boolean passed() {
            Double r = ratio(Mode.VEIL);
            return goal == null || r == null ? null : r >= goal;
        }
    }

    private final List<Row> rows = new ArrayList<>();

    void add(String scenario, String unit, int threads, Double goal, Map<Mode, Measurement> best, List<Double> roundRatios) {
        rows.add(new Row(scenario, unit, threads, goal, new EnumMap<>(best), List.copyOf(roundRatios)));
    }

    String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("| Scenario | Threads | RAW | HAND | VEIL | HAND/RAW | VEIL/RAW | VEIL/RAW within rounds | Goal VEIL/RAW | Result "
                + "| Client CPU µs/unit RAW · HAND · VEIL |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|:---:|---:|\n");
        for (Row r : rows) {
            Boolean pass = r.passed();
            sb.append("| ").append(r.scenario()).append(" (").append(r.unit()).append("/s)")
                    .append(" | ").append(r.threads())
                    .append(" | ").append(rate(r.best().get(Mode.RAW)))
                    .append(" | ").append(rate(r.best().get(Mode.HAND)))
                    .append(" | ").append(rate(r.best().get(Mode.VEIL)))
                    .append(" | ").append(ratio(r.ratio(Mode.HAND)))
                    .append(" | ").append(ratio(r.ratio(Mode.VEIL)))
                    .append(" | ").append(spread(r.roundRatios()))
                    .append(" | ").append(r.goal() == null ? "—" : "≥ " + ratio(r.goal()))
                    .append(" | ").append(pass == null ? "—" : pass ? "pass" : "**MISS**")
                    .append(" | ").append(cpu(r.best().get(Mode.RAW))).append(" · ").append(cpu(r.best().get(Mode.HAND)))
                    .append(" · ").append(cpu(r.best().get(Mode.VEIL)))
                    .append(" |\n");
        }
        return sb.toString();
    }

    String verdict() {
        long goals = rows.stream().filter(r -> r.passed() != null).count();
        long passed = rows.stream().filter(r -> Boolean.TRUE.equals(r.passed())).count();
        return passed + " of " + goals + " goals met";
    }

    private static String rate(Measurement m) {
        return m == null ? "—" : String.format(Locale.ROOT, "%,.0f", m.perSecond());
    }

    private static String ratio(Double r) {
        return r == null ? "—" : String.format(Locale.ROOT, "%.2f×", r);
    }

    /** Lowest and highest of the per-round ratios. */
    private static String spread(List<Double> ratios) {
        if (ratios.isEmpty()) {
            return "—";
        }
        double lo = ratios.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double hi = ratios.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        return String.format(Locale.ROOT, "%.2f–%.2f", lo, hi);
    }

    private static String cpu(Measurement m) {
        if (m == null) {
            return "—";
        }
        double us = m.cpuMicrosPerUnit();
        return Double.isNaN(us) ? "?" : String.format(Locale.ROOT, us < 10 ? "%.2f" : "%.0f", us);
    }
}
