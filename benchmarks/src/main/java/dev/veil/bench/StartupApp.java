package dev.veil.bench;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;

/**
 * The plain JDBC program {@link StartupBenchmark} starts in fresh JVMs: connect, create a table,
 * insert three rows in a batch, update one, read it back, exit. It uses nothing but
 * {@code java.sql}, so the same class runs on raw pgjdbc, on {@code jdbc:veil:} and under the agent.
 *
 * <p>With {@code hand <keystore> <alias> <password-env>} after the URL it is the same program as an
 * application that encrypts its two sensitive columns itself with the primitives Veil uses: it opens
 * the PKCS#12 keystore (integrity check and entry decryption), derives one key per column from the
 * master key with HKDF-SHA256, and seals {@code email} with AES-256-GCM under a synthetic nonce
 * (HMAC-SHA256 of the value, so equal e-mails give equal ciphertexts and the lookup still works)
 * and {@code note} with AES-256-GCM under a random nonce. The columns are {@code BYTEA}.
 */
public final class StartupApp {
    private StartupApp() {
    }

    /** {@code StartupApp <jdbc-url> [hand <keystore> <alias> <password-env>]}; prints the row it read back. */
    public static void main(String[] args) throws SQLException, IOException, GeneralSecurityException {
        Hand hand = args.length > 1 && "hand".equals(args[1]) ? Hand.open(Path.of(args[2]), args[3], System.getenv(args[4])) : null;
        String bytes = hand == null ? "TEXT" : "BYTEA";
        try (Connection c = DriverManager.getConnection(args[0])) {
            try (Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS visits");
                s.execute("CREATE TABLE visits (id INTEGER PRIMARY KEY, name TEXT, email " + bytes + ", note " + bytes + ")");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO visits (id, name, email, note) VALUES (?, ?, ?, ?)")) {
                String[][] rows = {{"Ada Lovelace", "ada@example.org", "seasonal allergy"}, {"Alan Turing", "alan@example.org", "sprained ankle"},
                        {"Grace Hopper", "grace@example.org", "routine check-up"}};
                for (int i = 0; i < rows.length; i++) {
                    ps.setInt(1, i + 1);
                    ps.setString(2, rows[i][0]);
                    bindEmail(ps, 3, rows[i][1], hand);
                    bindNote(ps, 4, rows[i][2], hand);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE visits SET note = ? WHERE email = ?")) {
                bindNote(ps, 1, "recovered", hand);
                bindEmail(ps, 2, "ada@example.org", hand);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT name, note FROM visits WHERE email = ?")) {
                bindEmail(ps, 1, "ada@example.org", hand);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        System.out.println("APP " + rs.getString(1) + ": " + (hand == null ? rs.getString(2) : hand.openNote(rs.getBytes(2))));
                    }
                }
            }
        }
    }

    private static void bindEmail(PreparedStatement ps, int index, String email, Hand hand) throws SQLException {
        if (hand == null) {
            ps.setString(index, email);
        } else {
            ps.setBytes(index, hand.sealEmail(email));
        }
    }

    private static void bindNote(PreparedStatement ps, int index, String note, Hand hand) throws SQLException {
        if (hand == null) {
            ps.setString(index, note);
        } else {
            ps.setBytes(index, hand.sealNote(note));
        }
    }

    /** The hand-encrypting application's crypto: JCE only, stored as {@code nonce || ciphertext || tag}. */
    static final class Hand {
        private static final int NONCE = 12;
        private static final int TAG_BITS = 128;

        private final SecretKey emailKey;
        private final SecretKey emailNonceKey;
        private final SecretKey noteKey;
        private final SecureRandom random = new SecureRandom();

        private Hand(byte[] master) throws GeneralSecurityException {
            emailKey = new SecretKeySpec(hkdf(master, "visits.email/enc"), "AES");
            emailNonceKey = new SecretKeySpec(hkdf(master, "visits.email/nonce"), "HmacSHA256");
            noteKey = new SecretKeySpec(hkdf(master, "visits.note/enc"), "AES");
        }

        /** Opens the keystore the policy names (the JDK checks its MAC and decrypts the entry) and derives the column keys. */
        static Hand open(Path keystore, String alias, String password) throws IOException, GeneralSecurityException {
            if (password == null) {
                throw new IllegalStateException("the keystore password's environment variable is not set");
            }
            char[] pw = password.toCharArray();
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                ks.load(in, pw);
            }
            Key k = ks.getKey(alias, pw);
            Arrays.fill(pw, '\0');
            if (!(k instanceof SecretKey) || !"AES".equalsIgnoreCase(k.getAlgorithm())) {
                throw new IllegalStateException("keystore entry " + alias + " is not an AES key");
            }
            byte[] master = k.getEncoded();
            try {
                return new Hand(master);
            } finally {
                Arrays.fill(master, (byte) 0);
            }
        }

        /** HKDF-SHA256 (RFC 5869) with an empty salt, one 32-byte block of output. */
        static byte[] hkdf(byte[] ikm, String info) throws GeneralSecurityException {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
            byte[] prk = mac.doFinal(ikm);
            mac.init(new SecretKeySpec(prk, "HmacSHA256"));
            Arrays.fill(prk, (byte) 0);
            mac.update(info.getBytes(StandardCharsets.UTF_8));
            return mac.doFinal(new byte[] {1});
        }

        byte[] sealEmail(String email) {
            try {
                byte[] p = email.getBytes(StandardCharsets.UTF_8);
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(emailNonceKey);
                return seal(emailKey, Arrays.copyOf(mac.doFinal(p), NONCE), p);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        byte[] sealNote(String note) {
            byte[] nonce = new byte[NONCE];
            random.nextBytes(nonce);
            return seal(noteKey, nonce, note.getBytes(StandardCharsets.UTF_8));
        }

        String openNote(byte[] stored) {
            try {
                Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
                c.init(Cipher.DECRYPT_MODE, noteKey, new GCMParameterSpec(TAG_BITS, stored, 0, NONCE));
                return new String(c.doFinal(stored, NONCE, stored.length - NONCE), StandardCharsets.UTF_8);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("a note failed to decrypt", e);
            }
        }

        private static byte[] seal(SecretKey key, byte[] nonce, byte[] plain) {
            try {
                Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
                c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
                byte[] out = Arrays.copyOf(nonce, NONCE + c.getOutputSize(plain.length));
                c.doFinal(plain, 0, plain.length, out, NONCE);
                return out;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
