package dev.veil.keys;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.policy.MasterKeySettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;

/**
 * DEVELOPMENT ONLY: a master key given as base64 in an environment variable (setting
 * {@code variable}, default {@value #DEFAULT_VARIABLE}). Anyone who can read the process
 * environment has the key; it logs a warning every time it is created.
 */
public final class EnvMasterKeyProvider implements MasterKeyProvider {
    public static final String NAME = "env";
    public static final String DEFAULT_VARIABLE = "VEIL_MASTER_KEY";
    private static final Logger LOG = LoggerFactory.getLogger(EnvMasterKeyProvider.class);

    private final String variable;
    private final SecretKeySpec key;

    /**
     * @param keyBytes 32 bytes; copied
     */
    public EnvMasterKeyProvider(String variable, byte[] keyBytes) throws VeilException {
        if (keyBytes.length != 32) {
            throw new VeilException(VeilState.MASTER_KEY_UNAVAILABLE, "environment variable " + variable
                    + " must hold 32 random bytes in base64 (it holds " + keyBytes.length + " bytes)");
        }
        this.variable = variable;
        this.key = new SecretKeySpec(keyBytes, "AES");
        LOG.warn("Veil master key comes from environment variable {}: development only; use pkcs12, pkcs11 or a KMS in production", variable);
    }

    @Override
    public String masterKeyId() {
        return NAME + ":" + variable;
    }

    @Override
    public byte[] wrap(byte[] dataKey) throws VeilException {
        return run(Cipher.ENCRYPT_MODE, dataKey, "wrap");
    }

    @Override
    public byte[] unwrap(String masterKeyId, byte[] wrapped) throws VeilException {
        if (!masterKeyId.equals(masterKeyId())) {
            throw new VeilException(VeilState.MASTER_KEY_UNAVAILABLE, "data key was wrapped by master key " + masterKeyId
                    + " but this process has " + masterKeyId());
        }
        return run(Cipher.DECRYPT_MODE, wrapped, "unwrap");
    }

    private byte[] run(int mode, byte[] input, String what) throws VeilException {
        try {
            Cipher c = Cipher.getInstance("AES/KWP/NoPadding");
            c.init(mode, key);
            return c.doFinal(input);
        } catch (GeneralSecurityException e) {
            throw new VeilException(VeilState.KEY_UNWRAP_FAILED, "master key " + masterKeyId() + " cannot " + what
                    + " the data key", e);
        }
    }

    @Override
    public String toString() {
        return "EnvMasterKeyProvider[" + variable + "]";
    }

    /** Registered through ServiceLoader. */
    public static final class Factory implements MasterKeyProviderFactory {
        @Override
        public String name() {
            return NAME;
        }

        @Override
        public MasterKeyProvider create(MasterKeySettings s) throws VeilException {
            MasterKeyProviders.onlyKnown(s, Set.of("variable"));
            String variable = s.settings().getOrDefault("variable", DEFAULT_VARIABLE);
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(MasterKeyProviders.env(s, "variable", variable).strip());
            } catch (IllegalArgumentException e) {
                throw new VeilException(VeilState.MASTER_KEY_UNAVAILABLE, s.markOf("variable") + ": environment variable "
                        + variable + " is not valid base64");
            }
            try {
                return new EnvMasterKeyProvider(variable, bytes);
            } finally {
                Arrays.fill(bytes, (byte) 0);
            }
        }
    }
}
