package dev.veil.examples;

import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.MissingKeyAction;
import dev.veil.policy.Policy;
import dev.veil.policy.PolicyLoader;
import dev.veil.policy.StorageFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The example policies load, and follow the advice they illustrate: every encrypted column of
 * these new schemas is stored as binary in a BYTEA column. (docs/policy.md: storage: binary for
 * new columns.) The schemas are checked against a real PostgreSQL with {@code veil policy check};
 * here the policy and its schema file are held against each other without a server.
 */
class ExamplePoliciesTest {
    @ParameterizedTest
    @ValueSource(strings = {"shop", "pii", "payments", "reporting"})
    void everyEncryptedColumnIsBinaryInABytea(String example) throws Exception {
        Policy policy = PolicyLoader.load(Path.of(example, "policy.yaml"));
        String schema = Files.readString(Path.of(example.equals("reporting") ? "payments" : example, "schema.sql"))
                .toLowerCase(Locale.ROOT);
        assertTrue(!policy.columns().isEmpty(), example);
        for (ColumnPolicy c : policy.columns()) {
            assertEquals(StorageFormat.BINARY, c.storage(), example + ": " + c.column());
            String column = c.column().toString();
            String name = column.substring(column.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
            assertTrue(schema.matches("(?s).*\\n\\s*" + name + "\\s+bytea\\b.*"), example + ": " + name + " is not a bytea column in its schema");
        }
    }

    @Test
    void paymentDataHasItsOwnRingAndMasterKey() throws Exception {
        Policy payments = PolicyLoader.load(Path.of("payments", "policy.yaml"));
        assertEquals("pkcs12:payment-master", payments.keys().masterKeyId("payment"));
        Set<String> paymentColumns = payments.columns().stream().filter(c -> c.keyRing().equals("payment"))
                .map(c -> c.column().toString()).collect(Collectors.toSet());
        assertEquals(3, paymentColumns.size(), paymentColumns.toString());
    }

    @Test
    void theReportingServiceMasksWhatItCannotUnwrap() throws Exception {
        Policy reporting = PolicyLoader.load(Path.of("reporting", "policy.yaml"));
        Policy payments = PolicyLoader.load(Path.of("payments", "policy.yaml"));
        assertEquals(MissingKeyAction.MASK, reporting.keys().onMissingKey("payment"));
        assertEquals(MissingKeyAction.ERROR, reporting.keys().onMissingKey("default"));
        // the same columns, modes and rings as the service that writes them, or it could not read them
        assertEquals(payments.columns().stream().map(ExamplePoliciesTest::shape).collect(Collectors.toSet()),
                reporting.columns().stream().map(ExamplePoliciesTest::shape).collect(Collectors.toSet()));
    }

    private static String shape(ColumnPolicy c) {
        return c.column() + " " + c.mode() + " " + c.type() + " " + c.keyRing() + " " + c.storage() + " " + c.domain();
    }
}
