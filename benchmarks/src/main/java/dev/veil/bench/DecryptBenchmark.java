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
 * The read path of a result set, one value: decrypting an e-mail address stored as text, as a
 * full scan does for every row, from a String (other drivers) and from the text's bytes (pgjdbc). Run: {@code java -jar benchmarks/target/benchmarks.jar DecryptBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DecryptBenchmark {
    String randomizedText;
    String deterministicText;
    byte[] randomizedBytes;
    byte[] deterministicBytes;
    ColumnCipher randomized;
    ColumnCipher deterministic;

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
                """, "bench.yaml");
        FixedKeys keys = FixedKeys.sequential(7, "default");
        randomized = new ColumnCipher(policy.column(null, "t", "r").orElseThrow(), keys);
        deterministic = new ColumnCipher(policy.column(null, "t", "d").orElseThrow(), keys);
        randomizedText = (String) randomized.encrypt("user-123456@example.com");
        deterministicText = (String) deterministic.encrypt("user-123456@example.com");
        randomizedBytes = randomizedText.getBytes(StandardCharsets.US_ASCII);
        deterministicBytes = deterministicText.getBytes(StandardCharsets.US_ASCII);
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
}
