package dev.veil.spring.boot;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * The {@code veil.*} properties of the Spring Boot starter. Environment variables work as for
 * any Spring Boot property: {@code VEIL_POLICY}, {@code VEIL_ENABLED},
 * {@code VEIL_HEALTH_EXPIRING_WITHIN}.
 */
@ConfigurationProperties(prefix = "veil")
public class VeilProperties {
    /**
     * Whether the starter wraps the application's DataSource beans in Veil and reports Veil's
     * health and meters. With false, DataSources are left as they are.
     */
    private boolean enabled = true;

    /**
     * The Veil policy file (YAML) naming the encrypted columns and the master key. Required while
     * the starter is enabled: an application with DataSource beans and no policy does not start,
     * rather than write plaintext.
     */
    private String policy;

    private final Health health = new Health();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getPolicy() {
        return policy;
    }

    public void setPolicy(String policy) {
        this.policy = policy;
    }

    public Health getHealth() {
        return health;
    }

    /** The {@code veil} health indicator's settings. */
    public static class Health {
        /**
         * A ring whose active data key expires within this window turns the 'veil' health
         * indicator's status to expiring-status (the key is replaced by the ring's next version on
         * its next encryption after expiry).
         */
        private Duration expiringWithin = Duration.ofDays(30);

        /**
         * The status the 'veil' health indicator reports while a ring's active key expires within
         * expiring-within. The default EXPIRING is not in Spring Boot's status order, so it leaves
         * the application's overall status (and HTTP 200) alone; OUT_OF_SERVICE would take the
         * instance out of service.
         */
        private String expiringStatus = "EXPIRING";

        public Duration getExpiringWithin() {
            return expiringWithin;
        }

        public void setExpiringWithin(Duration expiringWithin) {
            this.expiringWithin = expiringWithin;
        }

        public String getExpiringStatus() {
            return expiringStatus;
        }

        public void setExpiringStatus(String expiringStatus) {
            this.expiringStatus = expiringStatus;
        }
    }
}
