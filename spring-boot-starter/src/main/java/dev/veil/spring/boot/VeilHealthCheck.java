package dev.veil.spring.boot;

import dev.veil.DatabaseFailure;
import dev.veil.Veil;
import dev.veil.VeilState;
import dev.veil.jdbc.VeilDataSource;
import dev.veil.keys.KeyRecord;
import dev.veil.keys.MasterKeyCheck;
import dev.veil.keys.RingStatus;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What the {@code veil} health indicator reports, apart from Spring Boot's health types (which
 * differ between Boot 3 and Boot 4): for each policy the application's Veil DataSources use,
 * whether its master keys can be reached as a fresh start would reach them
 * ({@link MasterKeyCheck}) and its key table can be read, and each ring's active version and days
 * until expiry. Ids, versions and times only, never key material.
 */
public final class VeilHealthCheck {
    /** The outcome: a state, and the details to show. */
    public record Report(State state, Map<String, Object> details) {
        /** The health status code: {@code UP}, {@code DOWN}, {@code UNKNOWN}, or {@code expiringStatus}. */
        public String statusCode(String expiringStatus) {
            return state == State.EXPIRING ? expiringStatus : state.name();
        }
    }

    /** UP, UP but a ring's active key expires within the window, DOWN, or nothing to check (no Veil DataSource). */
    public enum State { UP, EXPIRING, DOWN, UNKNOWN }

    private final Supplier<List<DataSource>> dataSources;
    private final VeilProperties.Health settings;
    private final Clock clock;

    /**
     * @param dataSources the application's DataSource beans; those that are (or wrap) a {@link VeilDataSource} are checked
     */
    public VeilHealthCheck(Supplier<List<DataSource>> dataSources, VeilProperties.Health settings, Clock clock) {
        this.dataSources = dataSources;
        this.settings = settings;
        this.clock = clock;
    }

    public Report check() {
        Map<String, VeilDataSource> byPolicy = new LinkedHashMap<>();
        for (DataSource ds : dataSources.get()) {
            VeilDataSource v = veil(ds);
            if (v != null) {
                byPolicy.putIfAbsent(String.valueOf(v.policyPath()), v);
            }
        }
        if (byPolicy.isEmpty()) {
            return new Report(State.UNKNOWN, Map.of("reason", "no DataSource bean is wrapped by Veil"
                    + (VeilAgentPresence.active() ? " (the Veil agent wraps connections in this JVM)" : "")));
        }
        List<Report> reports = new ArrayList<>();
        for (VeilDataSource v : byPolicy.values()) {
            reports.add(check(v));
        }
        if (reports.size() == 1) {
            return reports.get(0);
        }
        State worst = State.UP;
        Map<String, Object> details = new LinkedHashMap<>();
        int i = 0;
        for (String policy : byPolicy.keySet()) {
            Report r = reports.get(i++);
            worst = r.state().ordinal() > worst.ordinal() ? r.state() : worst;
            details.put(policy, r.details());
        }
        return new Report(worst, details);
    }

    private static VeilDataSource veil(DataSource ds) {
        try {
            return ds instanceof VeilDataSource v ? v : ds.isWrapperFor(VeilDataSource.class) ? ds.unwrap(VeilDataSource.class) : null;
        } catch (SQLException | RuntimeException e) {
            return null;
        }
    }

    private Report check(VeilDataSource ds) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("policy", ds.policyPath());
        try {
            Veil veil = ds.engine();
            Set<String> masterKeys = MasterKeyCheck.check(veil.policy().keys());
            details.put("masterKeys", List.copyOf(masterKeys));
            details.put("keyTable", veil.keys().store().table());
            List<KeyRecord> keys = veil.keys().store().all();
            Instant now = clock.instant();
            Map<String, Object> rings = new LinkedHashMap<>();
            List<String> expiring = new ArrayList<>();
            for (RingStatus r : RingStatus.of(veil.policy().keyRings(), keys)) {
                Map<String, Object> ring = new LinkedHashMap<>();
                ring.put("activeVersion", r.activeVersion());
                ring.put("expires", r.expiresAt() == null ? "never" : r.expiresAt().toString());
                if (r.expiresAt() != null) {
                    ring.put("daysUntilExpiry", r.daysUntilExpiry(now));
                }
                rings.put(r.ring(), ring);
                if (r.expiresWithin(settings.getExpiringWithin(), now)) {
                    expiring.add(r.ring());
                }
            }
            details.put("rings", rings);
            if (!expiring.isEmpty()) {
                details.put("expiringWithin", settings.getExpiringWithin().toString());
                details.put("expiring", expiring);
                return new Report(State.EXPIRING, details);
            }
            return new Report(State.UP, details);
        } catch (SQLException e) {
            boolean veilState = e.getSQLState() != null && e.getSQLState().startsWith("VE");
            details.put("code", veilState ? e.getSQLState() : VeilState.KEY_STORE_FAILURE.sqlState());
            details.put("error", veilState ? e.getMessage() : "cannot reach the database holding the key table (" + DatabaseFailure.describe(e) + ")");
            return new Report(State.DOWN, details);
        }
    }
}
