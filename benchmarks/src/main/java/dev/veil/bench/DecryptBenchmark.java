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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The read path of a result set: decrypting an e-mail address stored as text, as a full scan does
 * for every row, from a String (other drivers) and from the text's bytes (pgjdbc); and a scan-shaped
 * row of two binary envelopes (a deterministic e-mail and a randomized national id) drawn in turn
 * from {@value #ROWS} distinct rows, so the caches see what a real scan gives them.
 * Run: {@code java -jar benchmarks/target/benchmarks.jar DecryptBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DecryptBenchmark {
    static final int ROWS = 20_000;

    String randomizedText;
    String deterministicText;
    byte[] randomizedBytes;
    byte[] deterministicBytes;
    ColumnCipher randomized;
    ColumnCipher deterministic;
    ColumnCipher randomizedBinary;
    ColumnCipher deterministicBinary;
    byte[][] emails;
    byte[][] nationalIds;
    int row;

    @Setup
    public void setUp() throws Exception {
        Policy policy = PolicyLoader.parse("""
                version: 1
                keys:
                  master: { provider: env }
                tables:
                  t:
                    r: { mode: randomized, type: string }
                    d: { mode: deterministic, type: string }
                    rb: { mode: randomized, type: string, storage: binary }
                    db: { mode: deterministic, type: string, storage: binary }
                """, "bench.yaml");
        FixedKeys keys = FixedKeys.sequential(7, "default");
        randomized = new ColumnCipher(policy.column(null, "t", "r").orElseThrow(), keys);
        deterministic = new ColumnCipher(policy.column(null, "t", "d").orElseThrow(), keys);
        randomizedText = (String) randomized.encrypt("user-123456@example.com");
        deterministicText = (String) deterministic.encrypt("user-123456@example.com");
        randomizedBytes = randomizedText.getBytes(StandardCharsets.US_ASCII);
        deterministicBytes = deterministicText.getBytes(StandardCharsets.US_ASCII);
        randomizedBinary = new ColumnCipher(policy.column(null, "t", "rb").orElseThrow(), keys);
        deterministicBinary = new ColumnCipher(policy.column(null, "t", "db").orElseThrow(), keys);
        emails = new byte[ROWS][];
        nationalIds = new byte[ROWS][];
        for (int i = 0; i < ROWS; i++) {
            emails[i] = (byte[]) deterministicBinary.encrypt(Rows.email(i));
            nationalIds[i] = (byte[]) randomizedBinary.encrypt(Rows.ssn(i));
        }
    }

    @Benchmark
    public Object randomizedText() throws Exception {
        return randomized.decrypt(randomizedText);
    }

    @Benchmark
    public Object deterministicText() throws Exception {
        return deterministic.decrypt(deterministicText);
    }

    /** As a result set on PostgreSQL reads: the text's bytes straight from pgjdbc, no String of the ciphertext. */
    @Benchmark
    public Object randomizedTextBytes() throws Exception {
        return randomized.decryptText(randomizedBytes);
    }

    @Benchmark
    public Object deterministicTextBytes() throws Exception {
        return deterministic.decryptText(deterministicBytes);
    }

    /** One row of a full scan with binary storage: both columns decrypted, rows taken in turn. */
    @Benchmark
    public int scanRowBinary() throws Exception {
        int i = row;
        row = i + 1 == ROWS ? 0 : i + 1;
        return ((String) deterministicBinary.decrypt(emails[i])).length() + ((String) randomizedBinary.decrypt(nationalIds[i])).length();
    }
}
