package dev.veil.it.agent;

import dev.veil.testkit.TestKeys;

import java.nio.file.Files;
import java.nio.file.Path;

/** A policy for policy-examples' SampleApp (its patients table), matching one database. */
final class SampleAppPolicy {
    private SampleAppPolicy() {
    }

    static Path write(Path dir, String database) throws Exception {
        Path keystore = TestKeys.keystore(dir);
        Path policy = dir.resolve("sample-app-policy.yaml");
        Files.writeString(policy, "version: 1\n" + TestKeys.keysYaml(keystore) + """
                match: { databases: [%s] }
                tables:
                  patients:
                    email: { mode: deterministic, storage: binary }
                    national_id: { mode: randomized, key: national-id, storage: binary }
                    diagnosis: { mode: randomized, storage: binary }
                    birth_date: { mode: randomized, type: date, storage: binary }
                """.formatted(database));
        return policy;
    }
}
