package dev.veil.keys;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.policy.MasterKeySettings;

import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.Provider;
import java.security.ProviderException;
import java.security.SecureRandom;
import java.security.Security;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A master key inside an HSM, reached through the JDK's SunPKCS11 provider. The key is generated
 * in the token as a sensitive, non-extractable AES-256 key and never leaves it; data keys are
 * wrapped inside the token with AES-256-GCM (the SunPKCS11 provider offers no AES key wrap), as
 * {@code nonce(12) ‖ ciphertext ‖ tag(16)} with the master-key id as associated data.
 *
 * <p>Policy settings: {@code library} (the PKCS#11 module, default {@value #DEFAULT_LIBRARY}),
 * {@code slot} (a slot id) or {@code slot-list-index} (default 0), {@code pin-env} (the
 * environment variable holding the user PIN) and {@code label} (the key's label, default
 * {@value #DEFAULT_LABEL}). Master-key ids are {@code pkcs11:<label>}.
 */
public final class Pkcs11MasterKeyProvider implements MasterKeyProvider {
    public static final String NAME = "pkcs11";
    public static final String DEFAULT_LIBRARY = "/usr/lib/softhsm/libsofthsm2.so";
    public static final String DEFAULT_LABEL = "veil-master";
    private static final Set<String> SETTINGS = Set.of("library", "slot", "slot-list-index", "pin-env", "label");
    private static final String WRAP = "AES/GCM/NoPadding";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final Provider provider;
    private final char[] pin;
    private final String label;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Key> keys = new ConcurrentHashMap<>();
    private volatile KeyStore keyStore;

    /**
     * Logs in to the token and finds the master key.
     *
     * @param config SunPKCS11 configuration lines (library and slot), see {@link #config}
     * @throws VeilException {@code VE002} when the module cannot be loaded, the PIN is wrong or
     *         the token holds no AES key with that label
     */
    public Pkcs11MasterKeyProvider(String config, char[] pin, String label) throws VeilException {
        this.provider = provider(config);
        this.pin = pin.clone();
        this.label = label;
        this.keyStore = login(provider, this.pin);
        key(label);
    }

    /** SunPKCS11 configuration text for a module and slot ({@code slot} wins over {@code slotListIndex}). */
    public static String config(String library, Long slot, Integer slotListIndex) {
        StringBuilder sb = new StringBuilder("name = veil-").append(INSTANCES.incrementAndGet()).append('\n')
                .append("library = ").append(library).append('\n');
        if (slot != null) {
            sb.append("slot = ").append(slot).append('\n');
        } else {
            sb.append("slotListIndex = ").append(slotListIndex == null ? 0 : slotListIndex).append('\n');
        }
        // generated keys may be used inside the token but never read out of it
        sb.append("attributes(generate, CKO_SECRET_KEY, CKK_AES) = {\n  CKA_SENSITIVE = true\n  CKA_EXTRACTABLE = false\n}\n");
        return sb.toString();
    }

    private static Provider provider(String config) throws VeilException {
        Provider base = Security.getProvider("SunPKCS11");
        if (base == null) {
            throw new VeilException(VeilState.MASTER_KEY_UNAVAILABLE, "this JDK has no SunPKCS11 provider");
        }
        try {
            return base.configure("--" + config);
        } catch (ProviderException | java.security.InvalidParameterException e) {
            throw new VeilException(VeilState.MASTER_KEY_UNAVAILABLE, "cannot open the PKCS#11 token ("
                    + config.lines().filter(l -> l.startsWith("library") || l.startsWith("slot")).reduce((a, b) -> a + ", " + b).orElse("")
                    + "): " + rootMessage(e), e);
        }
    }

    private static KeyStore login(Provider p, char[] pin) throws VeilException {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS11", p);
            ks.load(null, pin);
            return ks;
        } catch (IOException | GeneralSecurityException | ProviderException e) {
            throw new VeilException(VeilState.MASTER_KEY_UNAVAILABLE, "cannot log in to the PKCS#11 token: " + rootMessage(e)
                    + " (wrong PIN, or no token in that slot)", e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : " " + t.getMessage());
    }

    /**
     * Generates a new AES-256 master key inside the token under {@code label}.
     *
     * @throws VeilException {@code VE002} if the label is taken or the token refuses
     */
    public static void generateKey(String config, char[] pin, String label) throws VeilException {
        Provider p = provider(config);
        KeyStore ks = login(p, pin);
        try {
            if (ks.containsAlias(label)) {
                throw new VeilException(VeilState.MASTER_KEY_UNAVAILABLE, "the token already has a key labelled '" + label
                        + "'; to use the existing key run veil keys init with --if-missing, or create another with --alias NAME");
            }
            KeyGenerator g = KeyGenerator.getInstance("AES", p);
            g.init(256);
            // storing the session key in the token's KeyStore makes it a persistent token object
            ks.setKeyEntry(label, g.generateKey(), null, null);
        } catch (GeneralSecurityException | ProviderException e) {
            throw new VeilException(VeilState.MASTER_KEY_UNAVAILABLE, "cannot generate master key '" + label + "' in the token: "
                    + rootMessage(e), e);
        }
    }

    private Key key(String keyLabel) throws VeilException {
        Key k = keys.get(keyLabel);
        if (k != null) {
            return k;
        }
        try {
            k = keyStore.getKey(keyLabel, null);
            if (k == null) {
                // created by another process (keys rotate-master) after we logged in
                keyStore = login(provider, pin);
                k = keyStore.getKey(keyLabel, null);
            }
        } catch (GeneralSecurityException | ProviderException e) {
            throw new VeilException(VeilState.MASTER_KEY_UNAVAILABLE, "cannot read key '" + keyLabel + "' from the token: " + rootMessage(e), e);
        }
        if (!(k instanceof SecretKey) || !"AES".equalsIgnoreCase(k.getAlgorithm())) {
            throw new VeilException(VeilState.MASTER_KEY_UNAVAILABLE, "the PKCS#11 token has no AES key labelled '" + keyLabel + "'");
        }
        keys.put(keyLabel, k);
        return k;
    }

    private String labelOf(String masterKeyId) throws VeilException {
        if (!masterKeyId.startsWith(NAME + ":")) {
            throw new VeilException(VeilState.MASTER_KEY_UNAVAILABLE, "data key was wrapped by master key " + masterKeyId
                    + ", which is not a " + NAME + " key; configure its provider");
        }
        return masterKeyId.substring(NAME.length() + 1);
    }

    @Override
    public String masterKeyId() {
        return NAME + ":" + label;
    }

    @Override
    public byte[] wrap(byte[] dataKey) throws VeilException {
        return wrap(masterKeyId(), dataKey);
    }

    @Override
    public byte[] wrap(String masterKeyId, byte[] dataKey) throws VeilException {
        Key kek = key(labelOf(masterKeyId));
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance(WRAP, provider);
            c.init(Cipher.ENCRYPT_MODE, kek, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(aad(masterKeyId));
            byte[] sealed = c.doFinal(dataKey);
            byte[] out = Arrays.copyOf(nonce, NONCE_BYTES + sealed.length);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return out;
        } catch (GeneralSecurityException | ProviderException e) {
            throw new VeilException(VeilState.KEY_UNWRAP_FAILED, "cannot wrap a data key with master key " + masterKeyId + ": " + rootMessage(e), e);
        }
    }

    @Override
    public byte[] unwrap(String masterKeyId, byte[] wrapped) throws VeilException {
        Key kek = key(labelOf(masterKeyId));
        if (wrapped.length <= NONCE_BYTES + TAG_BITS / 8) {
            throw new VeilException(VeilState.KEY_UNWRAP_FAILED, "the wrapped data key is too short for master key " + masterKeyId);
        }
        try {
            Cipher c = Cipher.getInstance(WRAP, provider);
            c.init(Cipher.DECRYPT_MODE, kek, new GCMParameterSpec(TAG_BITS, wrapped, 0, NONCE_BYTES));
            c.updateAAD(aad(masterKeyId));
            return c.doFinal(wrapped, NONCE_BYTES, wrapped.length - NONCE_BYTES);
        } catch (GeneralSecurityException | ProviderException e) {
            throw new VeilException(VeilState.KEY_UNWRAP_FAILED, "master key " + masterKeyId
                    + " cannot unwrap the data key (a different key under that label, or altered bytes)", e);
        }
    }

    private static byte[] aad(String masterKeyId) {
        return ("veil/v1|dek|" + masterKeyId).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        Arrays.fill(pin, '\0');
        keys.clear();
    }

    @Override
    public String toString() {
        return "Pkcs11MasterKeyProvider[" + provider.getName() + ", label=" + label + "]";
    }

    /** Registered through ServiceLoader. */
    public static final class Factory implements MasterKeyProviderFactory {
        @Override
        public String name() {
            return NAME;
        }

        @Override
        public MasterKeyProvider create(MasterKeySettings s) throws VeilException {
            return new Pkcs11MasterKeyProvider(config(s), pin(s), s.settings().getOrDefault("label", DEFAULT_LABEL));
        }

        @Override
        public String createMasterKey(MasterKeySettings s, String alias, boolean existingOk) throws VeilException {
            String config = config(s);
            char[] pin = pin(s);
            String label = alias != null ? alias : s.settings().getOrDefault("label", DEFAULT_LABEL);
            try {
                if (existingOk) {
                    try {
                        new Pkcs11MasterKeyProvider(config(s), pin, label).close();
                        return NAME + ":" + label;
                    } catch (VeilException absent) {
                        // not there yet: generate it
                    }
                }
                generateKey(config, pin, label);
                return NAME + ":" + label;
            } finally {
                Arrays.fill(pin, '\0');
            }
        }

        private static String config(MasterKeySettings s) throws VeilException {
            MasterKeyProviders.onlyKnown(s, SETTINGS);
            String library = s.settings().getOrDefault("library", DEFAULT_LIBRARY);
            Long slot = null;
            Integer index = null;
            try {
                if (s.settings().containsKey("slot")) {
                    slot = Long.parseLong(s.settings().get("slot").strip());
                }
                if (s.settings().containsKey("slot-list-index")) {
                    index = Integer.parseInt(s.settings().get("slot-list-index").strip());
                }
            } catch (NumberFormatException e) {
                throw new VeilException(VeilState.POLICY_INVALID, s.markOf(s.settings().containsKey("slot") ? "slot" : "slot-list-index")
                        + ": slot and slot-list-index must be whole numbers");
            }
            return Pkcs11MasterKeyProvider.config(library, slot, index);
        }

        private static char[] pin(MasterKeySettings s) throws VeilException {
            String pinEnv = MasterKeyProviders.required(s, "pin-env", "VEIL_HSM_PIN");
            return MasterKeyProviders.env(s, "pin-env", pinEnv).toCharArray();
        }
    }
}
