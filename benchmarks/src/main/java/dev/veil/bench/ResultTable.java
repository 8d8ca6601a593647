package dev.veil.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The measured scenarios as a markdown table: each mode's median throughput, the median over
 * rounds of each mode's ratio to RAW within the round, the middle half of VEIL/RAW's per-round
 * ratios, goal and verdict, and each mode's client CPU and allocation per unit. The verdict
 * compares the median ratio with the goal.
 */
final class ResultTable {
    /**
     * One line of the table.
     *
     * @param goal the least VEIL/RAW ratio the issue asks for, or {@code null} when there is none
     */
    record Row(String scenario, String unit, int threads, Double goal, Rounds rounds) {
        Boolean passed() {
            double r = rounds.ratio(Mode.VEIL);
            return goal == null || Double.isNaN(r) ? null : r >= goal;
        }
    }

    private final List<Row> rows = new ArrayList<>();

    void add(String scenario, String unit, int threads, Double goal, Rounds rounds) {
        rows.add(new Row(scenario, unit, threads, goal, rounds));
    }

    String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("| Scenario | Threads | RAW | HAND | VEIL | HAND/RAW | VEIL/RAW | VEIL/RAW middle half of rounds | Goal VEIL/RAW | Result "
                + "| Client CPU µs/unit RAW · HAND · VEIL | Client bytes allocated/unit RAW · HAND · VEIL |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|:---:|---:|---:|\n");
        for (Row r : rows) {
            Rounds x = r.rounds();
            Boolean pass = r.passed();
            sb.append("| ").append(r.scenario()).append(" (").append(r.unit()).append("/s)")
                    .append(" | ").append(r.threads())
                    .append(" | ").append(rate(x.perSecond(Mode.RAW)))
                    .append(" | ").append(rate(x.perSecond(Mode.HAND)))
                    .append(" | ").append(rate(x.perSecond(Mode.VEIL)))
                    .append(" | ").append(ratio(x.ratio(Mode.HAND)))
                    .append(" | ").append(ratio(x.ratio(Mode.VEIL)))
                    .append(" | ").append(Rounds.middleHalf(x.ratios(Mode.VEIL)))
                    .append(" | ").append(r.goal() == null ? "—" : "≥ " + ratio(r.goal()))
                    .append(" | ").append(pass == null ? "—" : pass ? "pass" : "**MISS**")
                    .append(" | ").append(cpu(x.cpuMicrosPerUnit(Mode.RAW))).append(" · ").append(cpu(x.cpuMicrosPerUnit(Mode.HAND)))
                    .append(" · ").append(cpu(x.cpuMicrosPerUnit(Mode.VEIL)))
                    .append(" | ").append(rate(x.bytesPerUnit(Mode.RAW))).append(" · ").append(rate(x.bytesPerUnit(Mode.HAND)))
                    .append(" · ").append(rate(x.bytesPerUnit(Mode.VEIL)))
                    .append(" |\n");
        }
        return sb.toString();
    }

    String verdict() {
        long goals = rows.stream().filter(r -> r.passed() != null).count();
        long passed = rows.stream().filter(r -> Boolean.TRUE.equals(r.passed())).count();
        return passed + " of " + goals + " goals met";
    }

    private static String rate(double perSecond) {
        return Double.isNaN(perSecond) ? "—" : String.format(Locale.ROOT, "%,.0f", perSecond);
    }

    private static String ratio(double r) {
        return Double.isNaN(r) ? "—" : String.format(Locale.ROOT, "%.2f×", r);
    }

    private static String cpu(double us) {
        return Double.isNaN(us) ? "—" : String.format(Locale.ROOT, us < 10 ? "%.2f" : "%.0f", us);
    }
}
