package dev.veil.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The measurements of one phase, round by round: each round ran every mode once, back to back.
 *
 * <p>A ratio between two modes is taken within each round, where both saw the same state of the
 * machine, and summarised by its median over the rounds. On a small machine shared by the client
 * and the database, throughput drifts by ±10% or more over seconds; pairing cancels the drift, and
 * the median ignores the rounds a burst of background work disturbed, in either direction.
 */
final class Rounds {
    private final List<Map<Mode, Measurement>> rounds = new ArrayList<>();

    /** Starts a new round. */
    void next() {
        rounds.add(new EnumMap<>(Mode.class));
    }

    void add(Mode m, Measurement x) {
        if (rounds.isEmpty()) {
            next();
        }
        rounds.get(rounds.size() - 1).put(m, x);
    }

    int size() {
        return rounds.size();
    }

    /** {@code m}'s throughput over RAW's within each round that measured both. */
    double[] ratios(Mode m) {
        return perRound(r -> r.containsKey(m) && r.containsKey(Mode.RAW) ? r.get(m).perSecond() / r.get(Mode.RAW).perSecond() : Double.NaN);
    }

    /** The median over rounds of {@code m}'s throughput over RAW's in the same round; NaN when none measured both. */
    double ratio(Mode m) {
        return median(ratios(m));
    }

    /** The median throughput of a mode; NaN when it did not run. */
    double perSecond(Mode m) {
        return median(perRound(r -> r.containsKey(m) ? r.get(m).perSecond() : Double.NaN));
    }

    /** The median client CPU per unit of a mode in microseconds; NaN when unknown. */
    double cpuMicrosPerUnit(Mode m) {
        return median(perRound(r -> r.containsKey(m) ? r.get(m).cpuMicrosPerUnit() : Double.NaN));
    }

    /** The median bytes the working threads allocated per unit of a mode; NaN when unknown. */
    double bytesPerUnit(Mode m) {
        return median(perRound(r -> r.containsKey(m) ? r.get(m).bytesPerUnit() : Double.NaN));
    }

    private double[] perRound(ToDoubleFunction<Map<Mode, Measurement>> value) {
        return rounds.stream().mapToDouble(value).filter(v -> !Double.isNaN(v)).toArray();
    }

    /** The first to the third quartile of some ratios, as the tables print it ("0.89–0.95"); a dash for none. */
    static String middleHalf(double[] ratios) {
        if (ratios.length == 0) {
            return "—";
        }
        return String.format(Locale.ROOT, "%.2f–%.2f", quantile(ratios, 0.25), quantile(ratios, 0.75));
    }

    static double median(double[] values) {
        return quantile(values, 0.5);
    }

    /**
     * The {@code q}-quantile, linearly interpolated between the closest ranks (so the median of an
     * even count is the mean of the middle two); NaN for no values.
     */
    static double quantile(double[] values, double q) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
