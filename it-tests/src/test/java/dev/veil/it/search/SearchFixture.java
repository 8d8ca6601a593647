package dev.veil.it.search;

import dev.veil.policy.PolicyLoader;
import dev.veil.policy.TablePolicy;
import dev.veil.search.CompanionColumns;
import dev.veil.testkit.ShopSchema;
import dev.veil.testkit.TestDatabase;
import dev.veil.testkit.TestKeys;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A table of generated people, encrypted and searchable ({@code people}), and the same rows in
 * plain columns ({@code people_plain}), so that every search can be checked against PostgreSQL's
 * own answer on the plaintext. Veil writes the companion columns as it inserts the rows. Public
 * for the agent-mode search test, which connects through the agent instead of a Veil URL.
 */
public final class SearchFixture {
    static final String TABLES = """
            tables:
              people:
                last_name: { mode: deterministic, storage: binary, search: [prefix, ci] }
                email: { mode: randomized, storage: binary, search: { prefix: { max: 10 }, substring: { ngram: 3 } } }
                born: { mode: randomized, type: date, storage: binary, search: [range] }
                amount: { mode: randomized, type: integer, storage: binary, search: [range] }
                note: { mode: randomized, storage: binary }
            """;
    static final List<String> NAMES = List.of("Davis", "Davidson", "Davies", "Dávila", "Smith", "smith", "SMITH", "Smithers",
            "Müller", "MÜLLER", "Mueller", "Łukasz", "Ørsted", "José", "O'Brien", "van_Dijk", "vanXDijk", "100%Pure", "100Pure",
            "李", "李小龙", "😀Emoji", "Black", "Blackwood", "Franklin", "Coleman", "Escobito", "Rodriquez", "McTavish",
            "Schroeder", "Estaban", "D", "Da", "Dav", "Davidsonsworth", "Davidsonsworthington");
    static final List<String> DOMAINS = List.of("example.com", "exa_mple.org", "ünï.de", "mail.example.com", "x%y.net");
    static final LocalDate EPOCH = LocalDate.of(1950, 1, 1);

    private SearchFixture() {
    }

    static Path policy(Path dir) throws Exception {
        return policy(dir.resolve("search-policy.yaml"), "");
    }

    /** Writes the search policy to {@code file}, with a keystore beside it and {@code extraYaml} (a {@code match:}, say) after it. */
    public static Path policy(Path file, String extraYaml) throws Exception {
        Files.writeString(file, "version: 1\n" + TestKeys.keysYaml(TestKeys.keystore(file.getParent())) + TABLES + extraYaml);
        return file;
    }

    /**
     * A fresh database holding both tables, with a raw connection to it and one through Veil: what
     * a test comparing Veil's answers with the plaintext copy's needs. Closing it closes both
     * connections and drops the database.
     */
    record Copies(TestDatabase db, Connection raw, Connection veil) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            try (db; raw; veil) {
                // closes Veil's connection, then the raw one, then drops the database
            }
        }
    }

    /** {@link #create}s both tables with {@code rows} rows under a policy written in {@code dir}, and connects to them. */
    static Copies open(Path dir, int rows) throws Exception {
        TestDatabase db = TestDatabase.postgres();
        String url = create(db, policy(dir), rows);
        return new Copies(db, db.connect(), DriverManager.getConnection(url));
    }

    /** Creates both tables with {@code rows} generated rows; returns the Veil URL. */
    static String create(TestDatabase db, Path policyFile, int rows) throws Exception {
        try (Connection raw = db.connect()) {
            createTables(raw, policyFile);
        }
        String url = ShopSchema.veilUrl(db, policyFile);
        try (Connection veil = DriverManager.getConnection(url); Connection raw = db.connect()) {
            fill(veil, raw, rows);
        }
        return url;
    }

    /** Creates both tables, and the companion columns of people under the policy in {@code policyFile}, through a connection beneath Veil. */
    public static void createTables(Connection raw, Path policyFile) throws Exception {
        try (Statement s = raw.createStatement()) {
            s.execute("CREATE TABLE people (id int PRIMARY KEY, last_name bytea, email bytea, born bytea, amount bytea, note bytea)");
            s.execute("CREATE TABLE people_plain (id int PRIMARY KEY, last_name text, email text, born date, amount bigint, note text)");
            TablePolicy table = PolicyLoader.load(policyFile).tables().stream().filter(t -> t.name().name().text().equals("people"))
                    .findFirst().orElseThrow();
            for (String ddl : ddlWithGuards(table)) {
                s.execute(ddl);
            }
        }
    }

    /**
     * The companion columns and indexes of a table's searchable columns, then their guards,
     * validated at once: for a table still empty, or whose rows were all written through Veil
     * with this policy. Veil refuses searches until the guards are in force.
     */
    public static List<String> ddlWithGuards(TablePolicy table) {
        List<String> out = new ArrayList<>(CompanionColumns.ddl(table));
        out.addAll(CompanionColumns.guardDdl(table));
        out.addAll(CompanionColumns.validateDdl(table));
        return out;
    }

    /** Inserts {@code rows} generated rows into people through Veil ({@code veil}) and into people_plain through {@code raw}. */
    public static void fill(Connection veil, Connection raw, int rows) throws SQLException {
        Random random = new Random(20);
        try (PreparedStatement enc = veil.prepareStatement("INSERT INTO people (id, last_name, email, born, amount, note) VALUES (?, ?, ?, ?, ?, ?)");
             PreparedStatement plain = raw.prepareStatement("INSERT INTO people_plain (id, last_name, email, born, amount, note) VALUES (?, ?, ?, ?, ?, ?)")) {
            for (int i = 1; i <= rows; i++) {
                String name = i % 97 == 0 ? null : NAMES.get(random.nextInt(NAMES.size()));
                String local = (name == null ? "anon" : name.toLowerCase(java.util.Locale.ROOT)) + (i % 7 == 0 ? "_" : ".") + i;
                String email = i % 89 == 0 ? null : local + "@" + DOMAINS.get(random.nextInt(DOMAINS.size()));
                LocalDate born = i % 83 == 0 ? null : EPOCH.plusDays(random.nextInt(25_000));
                Long amount = i % 79 == 0 ? null : (long) (random.nextInt(200_001) - 100_000);
                for (PreparedStatement ps : new PreparedStatement[] {enc, plain}) {
                    ps.setInt(1, i);
                    ps.setString(2, name);
                    ps.setString(3, email);
                    ps.setObject(4, born);
                    ps.setObject(5, amount, java.sql.Types.BIGINT);
                    ps.setString(6, "note " + i);
                    ps.addBatch();
                }
            }
            enc.executeBatch();
            plain.executeBatch();
        }
    }

    /**
     * Checks, through a connection beneath Veil, that the companion columns of row {@code id} hold
     * tokens only: each a 16-byte HMAC output, none starting with a name's leading bytes. (Searching
     * the hex text of all the tokens at any offset for 3 plaintext bytes found one by chance in
     * about one run in a hundred, under the run's random keys.)
     */
    public static void assertOnlyTokens(Connection raw, int id) throws SQLException {
        try (PreparedStatement ps = raw.prepareStatement("SELECT last_name_veil_prefix, email_veil_sub, last_name_veil_ci FROM people WHERE id = ?")) {
            ps.setInt(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                List<byte[]> tokens = new ArrayList<>();
                tokens.addAll(List.of((byte[][]) rs.getArray(1).getArray()));
                tokens.addAll(List.of((byte[][]) rs.getArray(2).getArray()));
                tokens.add(rs.getBytes(3));
                assertTrue(tokens.size() > 3);
                for (byte[] token : tokens) {
                    assertEquals(16, token.length, "a companion column holds 128-bit tokens only");
                    for (String name : NAMES) {
                        byte[] lead = name.substring(0, Math.min(3, name.length())).getBytes(StandardCharsets.UTF_8);
                        assertFalse(lead.length >= 3 && Arrays.equals(token, 0, lead.length, lead, 0, lead.length),
                                "plaintext bytes in a companion column");
                    }
                }
            }
        }
    }

    /** The rows of a prepared query, each as its columns' strings joined by {@code |}, in the order returned. */
    public static List<String> rows(Connection c, String sql, Object... params) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    StringBuilder sb = new StringBuilder();
                    for (int i = 1; i <= n; i++) {
                        sb.append(rs.getString(i)).append('|');
                    }
                    out.add(sb.toString());
                }
            }
        }
        return out;
    }
}
