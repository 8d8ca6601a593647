package dev.veil.keys;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.policy.MasterKeySettings;

import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Master keys held as AES-256 secret-key entries of a PKCS#12 keystore. Data keys are wrapped
 * with AES key wrap with padding (AES-KWP, RFC 5649). The keystore may hold several master keys
 * (one alias each); the policy's alias names the one that wraps new data keys, and any alias in
 * the keystore can unwrap the data keys it wrapped.
 *
 * <p>Policy settings: {@code path}, {@code password-env} (the environment variable holding the
 * keystore password) and {@code alias} (default {@value #DEFAULT_ALIAS}).
 */
public final class Pkcs12MasterKeyProvider implements MasterKeyProvider {
    public static final String NAME = "pkcs12";
    public static final String DEFAULT_ALIAS = "veil-master";
    private static final String WRAP = "AES/KWP/NoPadding";

    private final Path path;
    // reloaded when an alias is missing and the file changed: a master-key rotation by the CLI
    // adds an alias while applications run, and they must unwrap keys rewrapped under it
    private volatile KeyStore keyStore;
    private volatile long loadedModified;
    private final char[] password;
    private final String passwordEnv;
    private final String alias;
    // reading an entry runs the keystore's password-based decryption, which is slow: once per alias
    private final java.util.Map<String, SecretKey> keys = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Opens a keystore.
     *
     * @throws VeilException {@code VE002} if the file is missing or unreadable, the password is
     *         wrong, or the alias holds no AES key
     */
    public Pkcs12MasterKeyProvider(Path path, char[] password, String alias) throws VeilException {
        this(path, password, null, alias);
    }

    /**
     * Opens a keystore whose password was read from the environment variable {@code passwordEnv},
     * which a wrong-password message names (never the password).
     *
     * @throws VeilException {@code VE002} as for {@link #Pkcs12MasterKeyProvider(Path, char[], String)}
     */
    public Pkcs12MasterKeyProvider(Path path, char[] password, String passwordEnv, String alias) throws VeilException {
        this.path = path;
        this.password = password.clone();
        this.passwordEnv = passwordEnv;
        this.alias = alias;
        this.loadedModified = modified(path);
        byte[] file = read(path);
        // Checking the keystore's integrity (a MAC under a key derived from the password) and
        // decrypting the entry (under another derived key) each run thousands of rounds of a
        // password-based key derivation: most of what opening a keystore costs a fresh JVM. They
        // are independent, so the entry is decrypted from an unchecked copy on a second thread
        // while this one checks the MAC, and used only once the check has passed.
        CompletableFuture<SecretKey> entry = new CompletableFuture<>();
        char[] pw = this.password;
        Thread reader = new Thread(new Runnable() { // not a lambda, which spins a class at first use
            @Override
            public void run() {
                try {
                    KeyStore unchecked = KeyStore.getInstance("PKCS12");
                    unchecked.load(new ByteArrayInputStream(file), null);
                    Key k = unchecked.getKey(alias, pw);
                    entry.complete(k instanceof SecretKey && "AES".equalsIgnoreCase(k.getAlgorithm()) ? aesKey(k) : null);
                } catch (Throwable e) {
                    entry.complete(null); // read again below, where the error is reported as usual
                }
            }
        }, "veil-keystore-entry");
        reader.setDaemon(true);
        reader.start();
        this.keyStore = load(file, path, this.password, passwordEnv);
        SecretKey early = entry.join();
        if (early != null) {
            keys.put(alias, early);
        } else {
            key(alias);
        }
    }

    private static byte[] read(Path path) throws VeilException {
        try {
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new VeilException(VeilState.MASTER_KEY_UNAVAILABLE, "keystore " + path + " does not exist");
        } catch (IOException e) {
            throw new VeilException(VeilState.MASTER_KEY_UNAVAILABLE, "cannot open keystore " + path + ": not a readable PKCS#12 file", e);
        }
    }

    /** A copy of an AES key's bytes as a plain key; the intermediate copy is wiped. */
    private static SecretKey aesKey(Key k) {
        byte[] encoded = k.getEncoded();
        try {
            return new SecretKeySpec(encoded, "AES");
        } finally {
            Arrays.fill(encoded, (byte) 0);
        }
    }

    private static long modified(Path path) {
        try {
            return Files.getLastModifiedTime(path).toMillis();
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Creates a PKCS#12 keystore file holding a new random AES-256 master key under {@code alias},
     * or adds that key to an existing keystore (replacing the file atomically).
     *
     * @throws VeilException {@code VE002} if the alias exists already or the file cannot be written
     */
    public static void createKeystore(Path path, char[] password, String alias) throws VeilException {
        createKeystore(path, password, null, alias);
    }

    private static void createKeystore(Path path, char[] password, String passwordEnv, String alias) throws VeilException {
        try {
            KeyGenerator generator = KeyGenerator.getInstance("AES");
            generator.init(256);
            KeyStore ks = Files.exists(path) ? load(path, password, passwordEnv) : KeyStore.getInstance("PKCS12");
            if (!Files.exists(path)) {
                ks.load(null, null);
            }
            if (ks.containsAlias(alias)) {
                throw new VeilException(VeilState.MASTER_KEY_UNAVAILABLE, "keystore " + path + " already has a key named '" + alias
                        + "'; to use the existing key run veil keys init with --if-missing, or create another with --alias NAME");
            }
            ks.setEntry(alias, new KeyStore.SecretKeyEntry(generator.generateKey()), new KeyStore.PasswordProtection(password));
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Path tmp = Files.createTempFile(parent, ".veil-keystore", ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.TRUNCATE_EXISTING)) {
                ks.store(out, password);
            }
            Files.move(tmp, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | GeneralSecurityException e) {
            throw new VeilException(VeilState.MASTER_KEY_UNAVAILABLE, "cannot create keystore " + path + ": " + e.getClass().getSimpleName(), e);
        }
    }

    private static KeyStore load(Path path, char[] password, String passwordEnv) throws VeilException {
        return load(read(path), path, password, passwordEnv);
    }

    /** Loads the keystore's bytes {@code file}, read from {@code path}, checking its integrity. */
    private static KeyStore load(byte[] file, Path path, char[] password, String passwordEnv) throws VeilException {
        try (InputStream in = new ByteArrayInputStream(file)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password);
            return ks;
        } catch (IOException e) {
            boolean badPassword = e.getCause() instanceof UnrecoverableKeyException
                    || e.getCause() instanceof javax.crypto.BadPaddingException;
            throw new VeilException(VeilState.MASTER_KEY_UNAVAILABLE, "cannot open keystore " + path + ": "
                    + (badPassword ? "wrong password " + (passwordEnv == null ? "" : "in environment variable " + passwordEnv + " ")
                    + "(or the file is damaged); check that variable holds this keystore's password" : "not a readable PKCS#12 file"), e);
        } catch (GeneralSecurityException e) {
            throw new VeilException(VeilState.MASTER_KEY_UNAVAILABLE, "cannot open keystore " + path + ": " + e.getClass().getSimpleName(), e);
        }
    }

    private SecretKey key(String keyAlias) throws VeilException {
        SecretKey cached = keys.get(keyAlias);
        if (cached != null) {
            return cached;
        }
        SecretKey loaded = readKey(keyAlias);
        keys.put(keyAlias, loaded);
        return loaded;
    }

    private SecretKey readKey(String keyAlias) throws VeilException {
        try {
            Key k = keyStore.getKey(keyAlias, password);
            long now = modified(path);
            if (k == null && now != loadedModified) {
                synchronized (this) {
                    loadedModified = now;
                    keyStore = load(path, password, passwordEnv);
                }
                k = keyStore.getKey(keyAlias, password);
            }
            if (k == null) {
                throw new VeilException(VeilState.MASTER_KEY_UNAVAILABLE, "keystore " + path + " has no key named '" + keyAlias + "'");
            }
            if (!(k instanceof SecretKey) || !"AES".equalsIgnoreCase(k.getAlgorithm())) {
                throw new VeilException(VeilState.MASTER_KEY_UNAVAILABLE, "keystore entry '" + keyAlias + "' in " + path + " is not an AES secret key");
            }
            return aesKey(k);
        } catch (GeneralSecurityException e) {
            throw new VeilException(VeilState.MASTER_KEY_UNAVAILABLE, "cannot read key '" + keyAlias + "' from keystore " + path
                    + ": " + e.getClass().getSimpleName(), e);
        }
    }

    @Override
    public String masterKeyId() {
        return NAME + ":" + alias;
    }

    @Override
    public byte[] wrap(byte[] dataKey) throws VeilException {
        return wrap(masterKeyId(), dataKey);
    }

    @Override
    public byte[] wrap(String masterKeyId, byte[] dataKey) throws VeilException {
        if (!masterKeyId.startsWith(NAME + ":")) {
            throw new VeilException(VeilState.MASTER_KEY_UNAVAILABLE, "master key " + masterKeyId + " is not a " + NAME + " key");
        }
        try {
            Cipher c = Cipher.getInstance(WRAP);
            c.init(Cipher.ENCRYPT_MODE, key(masterKeyId.substring(NAME.length() + 1)));
            return c.doFinal(dataKey);
        } catch (GeneralSecurityException e) {
            throw new VeilException(VeilState.KEY_UNWRAP_FAILED, "cannot wrap a data key with master key " + masterKeyId
                    + ": " + e.getClass().getSimpleName(), e);
        }
    }

    @Override
    public byte[] unwrap(String masterKeyId, byte[] wrapped) throws VeilException {
        if (!masterKeyId.startsWith(NAME + ":")) {
            throw new VeilException(VeilState.MASTER_KEY_UNAVAILABLE, "data key was wrapped by master key " + masterKeyId
                    + ", which is not a " + NAME + " key; configure its provider");
        }
        SecretKey kek = key(masterKeyId.substring(NAME.length() + 1));
        try {
            Cipher c = Cipher.getInstance(WRAP);
            c.init(Cipher.DECRYPT_MODE, kek);
            return c.doFinal(wrapped);
        } catch (GeneralSecurityException e) {
            throw new VeilException(VeilState.KEY_UNWRAP_FAILED, "master key " + masterKeyId
                    + " cannot unwrap the data key (a different key under that alias, or altered bytes)", e);
        }
    }

    @Override
    public void close() {
        Arrays.fill(password, '\0');
        keys.clear();
    }

    @Override
    public String toString() {
        return "Pkcs12MasterKeyProvider[" + path + ", alias=" + alias + "]";
    }

    /** Registered through ServiceLoader. */
    public static final class Factory implements MasterKeyProviderFactory {
        @Override
        public String name() {
            return NAME;
        }

        @Override
        public MasterKeyProvider create(MasterKeySettings s) throws VeilException {
            MasterKeyProviders.onlyKnown(s, Set.of("path", "password-env", "alias"));
            String path = MasterKeyProviders.required(s, "path", "/etc/veil/master.p12");
            String passwordEnv = MasterKeyProviders.required(s, "password-env", "VEIL_MASTER_PASSWORD");
            String password = MasterKeyProviders.env(s, "password-env", passwordEnv);
            String alias = s.settings().getOrDefault("alias", DEFAULT_ALIAS);
            return new Pkcs12MasterKeyProvider(Path.of(path), password.toCharArray(), passwordEnv, alias);
        }

        @Override
        public String createMasterKey(MasterKeySettings s, String alias, boolean existingOk) throws VeilException {
            MasterKeyProviders.onlyKnown(s, Set.of("path", "password-env", "alias"));
            Path path = Path.of(MasterKeyProviders.required(s, "path", "/etc/veil/master.p12"));
            String passwordEnv = MasterKeyProviders.required(s, "password-env", "VEIL_MASTER_PASSWORD");
            char[] password = MasterKeyProviders.env(s, "password-env", passwordEnv).toCharArray();
            String a = alias != null ? alias : s.settings().getOrDefault("alias", DEFAULT_ALIAS);
            try {
                if (existingOk && Files.exists(path) && load(path, password, passwordEnv).containsAlias(a)) {
                    return NAME + ":" + a;
                }
            } catch (java.security.KeyStoreException e) {
                throw new VeilException(VeilState.MASTER_KEY_UNAVAILABLE, "cannot read keystore " + path + ": " + e.getClass().getSimpleName(), e);
            }
            createKeystore(path, password, passwordEnv, a);
            return NAME + ":" + a;
        }
    }
}
