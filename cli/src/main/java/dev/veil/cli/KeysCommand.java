package dev.veil.cli;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.keys.KeyAdmin;
import dev.veil.keys.KeyRecord;
import dev.veil.keys.KeyState;
import dev.veil.keys.KeyUsage;
import dev.veil.keys.RingStatus;
import dev.veil.policy.Policy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code veil keys …}: create, list, rotate, retire and destroy keys. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Master and data keys: create, list, rotate, retire, destroy.",
        subcommands = {KeysCommand.Init.class, KeysCommand.ListKeys.class, KeysCommand.Rotate.class, KeysCommand.RotateMaster.class,
                KeysCommand.Retire.class, KeysCommand.Destroy.class},
        footer = ExitCode.FOOTER)
final class KeysCommand implements Runnable {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm'Z'").withZone(ZoneOffset.UTC);

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static String time(Instant t) {
        return t == null ? "never" : TIME.format(t);
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = {"Creates the master key the policy names: an AES-256 entry in the PKCS#12 keystore (the file is created "
                    + "when missing), or a key generated inside the HSM (pkcs11), where it stays.",
                    "With --url, also creates the key table and the first data key of every ring the policy uses."},
            footer = {"%nExamples:", "  VEIL_MASTER_PASSWORD=… veil keys init --policy policy.yaml",
                    "  veil keys init --policy policy.yaml --url jdbc:postgresql://db/shop?user=ops",
                    "  veil keys init --policy policy.yaml --alias nid-master     (a second master key, e.g. for one ring)",
                    ExitCode.FOOTER})
    static final class Init implements Callable<Integer> {
        @Mixin
        Target target;
        @Spec
        CommandSpec spec;
        @Option(names = "--alias", paramLabel = "NAME", description = "name of the key to create (default: the policy's alias or label)")
        String alias;
        @Option(names = "--if-missing", description = "succeed without change when the master key exists already")
        boolean ifMissing;

        @Override
        public Integer call() throws VeilException {
            PrintWriter out = spec.commandLine().getOut();
            Policy policy = target.loadPolicy();
            boolean[] created = new boolean[1];
            String id = KeyAdmin.createMasterKey(policy.keys().master(), alias, ifMissing, created);
            out.println((created[0] ? "created master key " : "master key exists: ") + id);
            if (target.hasDatabase()) {
                try (Target.Session s = target.open()) {
                    for (String ring : policy.keyRings()) {
                        var key = s.veil().keys().activeKey(ring, false);
                        out.println("ring " + ring + ": active data key " + key.id());
                    }
                }
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Lists data keys: ring, version, id, state, created and expiry times, and the master key that wraps each.",
            footer = {"%nExamples:", "  veil keys list --policy policy.yaml --url jdbc:postgresql://db/shop?user=ops",
                    "  veil keys list --usage …      (also counts the values each key still protects)",
                    "  veil keys list --expiring 30d …   (exit 7 when a ring's active key expires within 30 days: for cron and CI)",
                    ExitCode.FOOTER})
    static final class ListKeys implements Callable<Integer> {
        @Mixin
        Target target;
        @Spec
        CommandSpec spec;
        @Option(names = "--usage", description = "count the stored values (rows × encrypted columns) each key protects: one grouped scan per column")
        boolean usage;
        @Option(names = "--expiring", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "exit 7 when the active key of a ring expires within DURATION (30d, 12h, 2w), naming those rings "
                        + "(an expired active key is replaced by the ring's next version on its next encryption)")
        java.time.Duration expiring;

        @Override
        public Integer call() throws VeilException {
            PrintWriter out = spec.commandLine().getOut();
            try (Target.Session s = target.open()) {
                List<KeyRecord> keys = s.admin().list();
                int code = expiring == null ? ExitCode.OK : reportExpiring(s.policy(), keys);
                List<KeyUsage.ColumnUsage> byColumn = usage ? s.admin().usageByColumn() : List.of();
                Map<Integer, Long> rows = KeyUsage.totals(byColumn);
                String format = "%-14s %7s %11s %-12s %-17s %-17s " + (usage ? "%-24s %8s" : "%s") + "%n";
                out.printf(format, usage ? new Object[] {"RING", "VERSION", "ID", "STATE", "CREATED", "EXPIRES", "MASTER KEY", "VALUES"}
                        : new Object[] {"RING", "VERSION", "ID", "STATE", "CREATED", "EXPIRES", "MASTER KEY"});
                for (KeyRecord k : keys) {
                    Object[] row = {k.ring(), k.version(), k.keyId(), k.state().storedName(), time(k.createdAt()), time(k.expiresAt()),
                            k.wrapped() == null ? "-" : k.masterKeyId(), rows.getOrDefault(k.keyId(), 0L)};
                    out.printf(format, usage ? row : java.util.Arrays.copyOf(row, 7));
                }
                if (keys.isEmpty()) {
                    out.println("(no data keys yet: the first encryption of each ring creates one, or run veil keys rotate)");
                }
                rows.keySet().removeAll(keys.stream().map(KeyRecord::keyId).toList());
                for (KeyUsage.ColumnUsage u : byColumn) {
                    if (u.plaintextRows() > 0) {
                        out.println("note: " + u.column().column() + " holds " + u.plaintextRows() + " value(s) that are not ciphertexts");
                    }
                }
                if (usage && !rows.isEmpty()) {
                    out.println("note: rows use key id(s) missing from the key table: " + rows);
                }
                return code;
            }
        }

        /** Names the rings whose active key expires within {@link #expiring} on standard error; {@link ExitCode#EXPIRING} if any. */
        private int reportExpiring(Policy policy, List<KeyRecord> keys) {
            Instant now = Instant.now();
            List<RingStatus> soon = RingStatus.of(policy.keyRings(), keys).stream().filter(r -> r.expiresWithin(expiring, now)).toList();
            PrintWriter err = spec.commandLine().getErr();
            for (RingStatus r : soon) {
                long days = r.daysUntilExpiry(now);
                err.println("expiring: ring " + r.ring() + " version " + r.activeVersion() + " (key " + r.activeKeyId() + ") "
                        + (days < 0 ? "expired " + time(r.expiresAt()) : "expires " + time(r.expiresAt()) + ", in " + days + " day(s)"));
            }
            return soon.isEmpty() ? ExitCode.OK : ExitCode.EXPIRING;
        }
    }

    /** Reads {@code --expiring 30d}: the policy's duration syntax, {@code never} excluded. */
    static final class DurationConverter implements picocli.CommandLine.ITypeConverter<java.time.Duration> {
        @Override
        public java.time.Duration convert(String value) {
            java.time.Duration d;
            try {
                d = dev.veil.policy.Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
            if (d == null) {
                throw new picocli.CommandLine.TypeConversionException("'never' is not a window; expected " + dev.veil.policy.Durations.EXPECTED);
            }
            return d;
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = "Creates a new version of a ring (of every ring the policy uses, without RING), active now. "
                    + "Older versions become decrypt-only: existing rows stay readable.",
            footer = {"%nExamples:", "  veil keys rotate payment --policy policy.yaml --url jdbc:postgresql://db/shop?user=ops",
                    "  veil keys rotate --policy policy.yaml --url …      (every ring)", ExitCode.FOOTER})
    static final class Rotate implements Callable<Integer> {
        @Mixin
        Target target;
        @Spec
        CommandSpec spec;
        @Parameters(arity = "0..1", paramLabel = "RING", description = "the ring (policy key name)")
        String ring;

        @Override
        public Integer call() throws VeilException {
            PrintWriter out = spec.commandLine().getOut();
            try (Target.Session s = target.open()) {
                for (String r : ring == null ? s.policy().keyRings() : java.util.Set.of(ring)) {
                    KeyRecord k = s.admin().rotate(r);
                    out.println("rotated " + r + ": version " + k.version() + " (key " + k.keyId() + ") is active, expires "
                            + time(k.expiresAt()));
                    java.time.Instant written = s.veil().keys().pendingUntil(r);
                    if (written != null) {
                        out.println("  deterministic columns use " + r + ": lookups match every live version now; new values are "
                                + "written under version " + k.version() + " from " + time(written) + " (2 x keys.refresh-after), and "
                                + "'veil rekey' waits until then");
                    }
                }
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "rotate-master", mixinStandardHelpOptions = true,
            description = {"Rewraps every data key under a new master key, online: applications keep running (they unwrap by the "
                    + "master-key id stored beside each key) and no data is touched. The new key is created when missing.",
                    "Afterwards point the policy at the new key (alias/label), so new data keys are wrapped by it too.",
                    "Rings with their own master-key in the policy are left alone unless named with --ring."},
            footer = {"%nExamples:", "  veil keys rotate-master --new-alias veil-master-2026 --policy policy.yaml --url …",
                    "  veil keys rotate-master --new-alias nid-master --ring national-id --policy policy.yaml --url …",
                    ExitCode.FOOTER})
    static final class RotateMaster implements Callable<Integer> {
        @Mixin
        Target target;
        @Spec
        CommandSpec spec;
        @Option(names = "--new-alias", required = true, paramLabel = "NAME", description = "the new master key's alias (pkcs12) or label (pkcs11)")
        String newAlias;
        @Option(names = "--ring", paramLabel = "RING", description = "rewrap only this ring's keys")
        String ring;

        @Override
        public Integer call() throws VeilException {
            PrintWriter out = spec.commandLine().getOut();
            try (Target.Session s = target.open()) {
                boolean[] created = new boolean[1];
                String id = KeyAdmin.createMasterKey(s.policy().keys().master(), newAlias, true, created);
                if (created[0]) {
                    out.println("created master key " + id);
                }
                int n = s.admin().rotateMaster(id, ring, s.veil().stats().metrics());
                out.println("rewrapped " + n + " data key(s) under " + id);
                out.println("next: set the policy's master alias/label to '" + newAlias + "' so new data keys are wrapped by it"
                        + (ring == null ? "" : " (or keys.rings." + ring + ".master-key: " + id + ")"));
            }
            return ExitCode.OK;
        }
    }

    /** A key named by id, or by ring and version. */
    abstract static class KeyCommand implements Callable<Integer> {
        @Mixin
        Target target;
        @Spec
        CommandSpec spec;
        @Parameters(arity = "1..2", paramLabel = "KEY", description = "the key: RING VERSION (e.g. payment 1), or its numeric id")
        List<String> key;

        KeyRecord resolve(KeyAdmin admin) throws VeilException {
            try {
                if (key.size() == 1) {
                    return admin.find(Integer.parseInt(key.get(0)));
                }
                return admin.find(key.get(0), Integer.parseInt(key.get(1)));
            } catch (NumberFormatException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "KEY is RING VERSION or a numeric key id, got " + key);
            }
        }
    }

    @Command(name = "retire", mixinStandardHelpOptions = true,
            description = "Marks a superseded key retired: it still decrypts, but should protect nothing; the rows that still use "
                    + "it are counted and reported. The ring's active key cannot be retired (rotate first).",
            footer = {"%nExamples:", "  veil keys retire payment 1 --policy policy.yaml --url …", ExitCode.FOOTER})
    static final class Retire extends KeyCommand {
        @Override
        public Integer call() throws VeilException {
            PrintWriter out = spec.commandLine().getOut();
            try (Target.Session s = target.open()) {
                KeyRecord k = resolve(s.admin());
                long rows = s.admin().retire(k);
                out.println("retired key " + k.keyId() + " (ring " + k.ring() + " version " + k.version() + ")");
                if (rows > 0) {
                    out.println("warning: " + rows + " value(s) still use it; re-encrypt them before destroying it");
                }
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "destroy", mixinStandardHelpOptions = true,
            description = {"Crypto-shreds a key: its wrapped bytes are erased from the key table, so everything it encrypted is "
                    + "unreadable for good (VE004).",
                    "Refused (exit 3, VE012) while any value in the policy's encrypted columns still uses it, or while it is its "
                    + "ring's active key, unless --force-in-use."},
            footer = {"%nExamples:", "  veil keys destroy payment 1 --policy policy.yaml --url …",
                    "  veil keys destroy 1938712 --force-in-use …     (erase it even though rows use it: they are lost)",
                    ExitCode.FOOTER})
    static final class Destroy extends KeyCommand {
        @Option(names = "--force-in-use", description = "destroy even though rows still use it or it is active; those rows are lost")
        boolean force;

        @Override
        public Integer call() throws VeilException {
            PrintWriter out = spec.commandLine().getOut();
            try (Target.Session s = target.open()) {
                KeyRecord k = resolve(s.admin());
                if (k.state() == KeyState.DESTROYED) {
                    throw new VeilException(VeilState.KEY_DESTROYED, "key " + k.keyId() + " is already destroyed");
                }
                long rows = s.admin().destroy(k, force);
                out.println("destroyed key " + k.keyId() + " (ring " + k.ring() + " version " + k.version() + "): wrapped bytes erased"
                        + (rows > 0 ? "; " + rows + " value(s) that used it are unreadable now" : ""));
            }
            return ExitCode.OK;
        }
    }
}
