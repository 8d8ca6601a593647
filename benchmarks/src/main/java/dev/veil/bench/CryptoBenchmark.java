package dev.veil.bench;

import dev.veil.crypto.ColumnCipher;
import dev.veil.policy.Policy;
import dev.veil.policy.PolicyLoader;
import dev.veil.testkit.FixedKeys;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

/**
 * Encrypt + decrypt of one value: Veil's randomized (AES-256-GCM) and deterministic
 * (AES-256-GCM-SIV) column ciphers beside raw JCE AES-256-GCM doing the same work (fresh random
 * nonce, encrypt, decrypt). Goals: randomized ≤ 1.5× raw; deterministic ≤ 3× randomized.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar CryptoBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CryptoBenchmark {
    @Param({"16", "64", "128", "1024"})
    int size;

    /**
     * GHASH/POLYVAL multiplication: {@code false} the constant-time default, {@code true} the
     * opt-in tables ({@code -Dveil.crypto.ghash-tables=true}). JMH runs each value in a JVM of its
     * own, so the setting is made before the first key is prepared.
     */
    @Param({"false", "true"})
    boolean ghashTables;

    byte[] value;
    ColumnCipher randomized;
    ColumnCipher deterministic;
    Cipher jce;
    SecretKeySpec jceKey;
    SecureRandom random;

    @Setup
    public void setUp() throws Exception {
        System.setProperty("veil.crypto.ghash-tables", Boolean.toString(ghashTables));
        value = new byte[size];
        new SecureRandom().nextBytes(value);
        Policy policy = PolicyLoader.parse("""
                version: 1
                keys:
                  master: { provider: env }
                tables:
                  t:
                    r: { mode: randomized, type: bytes, storage: binary }
                    d: { mode: deterministic, type: bytes, storage: binary }
                """, "bench.yaml");
        FixedKeys keys = FixedKeys.sequential(7, "default");
        randomized = new ColumnCipher(policy.column(null, "t", "r").orElseThrow(), keys);
        deterministic = new ColumnCipher(policy.column(null, "t", "d").orElseThrow(), keys);
        jce = Cipher.getInstance("AES/GCM/NoPadding");
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        jceKey = new SecretKeySpec(k, "AES");
        random = new SecureRandom();
    }

    @Benchmark
    public byte[] rawJceGcm() throws Exception {
        byte[] nonce = new byte[12];
        random.nextBytes(nonce);
        jce.init(Cipher.ENCRYPT_MODE, jceKey, new GCMParameterSpec(128, nonce));
        byte[] ct = jce.doFinal(value);
        jce.init(Cipher.DECRYPT_MODE, jceKey, new GCMParameterSpec(128, nonce));
        return jce.doFinal(ct);
    }

    @Benchmark
    public Object veilRandomized() throws Exception {
        return randomized.decrypt(randomized.encryptToEnvelope(value));
    }

    @Benchmark
    public Object veilDeterministic() throws Exception {
        return deterministic.decrypt(deterministic.encryptToEnvelope(value));
    }
}
