package dev.veil.testkit;

import dev.veil.keys.Pkcs11MasterKeyProvider;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A SoftHSM2 token for the tests of one JVM. SoftHSM reads {@code SOFTHSM2_CONF} once per process,
 * so surefire points it at {@code target/softhsm/softhsm2.conf}; the first call writes that file,
 * empties the token directory and initialises one token, whose slot every test uses (tests keep
 * apart by key label).
 */
public final class SoftHsm {
    public static final String PIN_ENV = "VEIL_TEST_HSM_PIN";
    private static final Pattern SLOT = Pattern.compile("reassigned to slot (\\d+)");
    private static SoftHsm token;

    private final long slot;

    private SoftHsm(long slot) {
        this.slot = slot;
    }

    /** Whether the SoftHSM2 module and its tool are installed (Debian package softhsm2). */
    public static boolean installed() {
        return Files.isRegularFile(Path.of(Pkcs11MasterKeyProvider.DEFAULT_LIBRARY))
                && Stream.of("/usr/bin/softhsm2-util", "/usr/local/bin/softhsm2-util").anyMatch(p -> Files.isExecutable(Path.of(p)));
    }

    /** The message tests skip with when SoftHSM2 is absent. */
    public static String absentMessage() {
        return "SoftHSM2 is not installed (" + Pkcs11MasterKeyProvider.DEFAULT_LIBRARY + "): apt-get install softhsm2, or run bash .ci/run";
    }

    /** This JVM's token, initialised on first use. */
    public static synchronized SoftHsm token() throws IOException, InterruptedException {
        if (token == null) {
            token = new SoftHsm(initialise());
        }
        return token;
    }

    private static long initialise() throws IOException, InterruptedException {
        String conf = System.getenv("SOFTHSM2_CONF");
        if (conf == null) {
            throw new IllegalStateException("SOFTHSM2_CONF is not set; run the tests through Maven (surefire sets it)");
        }
        Path confFile = Path.of(conf);
        Path tokens = confFile.resolveSibling("tokens");
        if (Files.exists(tokens)) {
            try (Stream<Path> old = Files.walk(tokens)) {
                old.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(tokens);
        Files.writeString(confFile, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n",
                StandardCharsets.UTF_8);
        String pin = System.getenv(PIN_ENV);
        Process p = new ProcessBuilder("softhsm2-util", "--init-token", "--free", "--label", "veil-" + UUID.randomUUID().toString().substring(0, 8),
                "--pin", pin, "--so-pin", pin + "so").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("softhsm2-util --init-token failed: " + out);
        }
        Matcher m = SLOT.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("cannot find the slot in softhsm2-util's output: " + out);
        }
        return Long.parseLong(m.group(1));
    }

    public long slot() {
        return slot;
    }

    /** The user PIN (from {@value #PIN_ENV}, set by surefire). */
    public char[] pin() {
        return System.getenv(PIN_ENV).toCharArray();
    }

    /** SunPKCS11 configuration for this token. */
    public String config() {
        return Pkcs11MasterKeyProvider.config(Pkcs11MasterKeyProvider.DEFAULT_LIBRARY, slot, null);
    }

    /** A policy's {@code master:} mapping for a key of this token labelled {@code label}. */
    public String masterYaml(String label) {
        return "{ provider: pkcs11, library: " + Pkcs11MasterKeyProvider.DEFAULT_LIBRARY + ", slot: " + slot
                + ", pin-env: " + PIN_ENV + ", label: " + label + " }";
    }
}
