package dev.veil.policy;

import java.util.Locale;

/**
 * What the policy requires of the link between the application and the database:
 * {@code transport: { require-tls: true, verify: full, min-version: TLSv1.2 }}.
 *
 * <p>Checked on every new physical connection (see {@code docs/transport.md}): the live session must
 * be TLS of at least {@link #minVersion()}, and the JDBC driver must be set to verify the server as
 * {@link #verify()} asks. A policy without a {@code transport} section requires nothing
 * ({@link #NONE}).
 *
 * @param requireTls whether connections whose session is not TLS are refused
 * @param verify how much of the server's identity the driver must be set to verify
 * @param minVersion the lowest TLS version accepted
 * @param mark where the {@code transport} section is in the policy file ({@code null} for {@link #NONE})
 */
public record TransportPolicy(boolean requireTls, Verify verify, TlsVersion minVersion, SourceMark mark) {
    /** No requirement: connections are not checked. */
    public static final TransportPolicy NONE = new TransportPolicy(false, Verify.NONE, TlsVersion.TLS_1_2, null);

    public TransportPolicy {
        if (verify == null || minVersion == null) {
            throw new IllegalArgumentException("verify and minVersion are required");
        }
    }

    /** How much of the server's identity the JDBC driver must be set to check. */
    public enum Verify {
        /** Any TLS session is accepted, whatever the driver checks of the server's certificate. */
        NONE("none"),
        /** The driver must check that a trusted CA signed the server's certificate. */
        CA("ca"),
        /** The driver must check the certificate's CA and that it names the host connected to. */
        FULL("full");

        private final String policyName;

        Verify(String policyName) {
            this.policyName = policyName;
        }

        /** The name used in policy files. */
        public String policyName() {
            return policyName;
        }
    }

    /** TLS protocol versions, in order, as JSSE and the databases name them. */
    public enum TlsVersion {
        TLS_1_0("TLSv1"),
        TLS_1_1("TLSv1.1"),
        TLS_1_2("TLSv1.2"),
        TLS_1_3("TLSv1.3");

        private final String protocolName;

        TlsVersion(String protocolName) {
            this.protocolName = protocolName;
        }

        /** The name as JSSE, PostgreSQL and MariaDB report it, for example {@code TLSv1.2}. */
        public String protocolName() {
            return protocolName;
        }

        /**
         * The version a database reports ({@code TLSv1.2}, {@code TLSv1}, {@code TLSv1.0}), or
         * {@code null} when the text names none of these.
         */
        public static TlsVersion parse(String reported) {
            if (reported == null) {
                return null;
            }
            String s = reported.strip().toUpperCase(Locale.ROOT);
            return switch (s) {
                case "TLSV1", "TLSV1.0" -> TLS_1_0;
                case "TLSV1.1" -> TLS_1_1;
                case "TLSV1.2" -> TLS_1_2;
                case "TLSV1.3" -> TLS_1_3;
                default -> null;
            };
        }
    }

    /** {@code file:line:column: transport.<setting>} — how refusals name the setting that refused. */
    public String setting(String name) {
        return (mark == null ? "" : mark + ": ") + "transport." + name;
    }
}
