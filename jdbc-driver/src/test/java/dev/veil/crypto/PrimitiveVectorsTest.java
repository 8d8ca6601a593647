package dev.veil.crypto;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

import static dev.veil.testkit.Hex.decode;
import static dev.veil.testkit.Hex.encode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Known-answer tests for the primitives under the envelope, pinned in hex. */
class PrimitiveVectorsTest {

    /**
     * RFC 8452 Appendix C.2 (AEAD_AES_256_GCM_SIV) and C.3 (counter wrap), both ways through the
     * production {@link GcmSiv}. Columns: key, nonce, aad, plaintext, result.
     */
    @ParameterizedTest
    @CsvSource({
            "0100000000000000000000000000000000000000000000000000000000000000, 030000000000000000000000, '', '', 07f5f4169bbf55a8400cd47ea6fd400f",
            "0100000000000000000000000000000000000000000000000000000000000000, 030000000000000000000000, '', 0100000000000000, c2ef328e5c71c83b843122130f7364b761e0b97427e3df28",
            "0100000000000000000000000000000000000000000000000000000000000000, 030000000000000000000000, '', 01000000000000000000000000000000, 85a01b63025ba19b7fd3ddfc033b3e76c9eac6fa700942702e90862383c6c366",
            "0100000000000000000000000000000000000000000000000000000000000000, 030000000000000000000000, '', 0100000000000000000000000000000002000000000000000000000000000000, 4a6a9db4c8c6549201b9edb53006cba821ec9cf850948a7c86c68ac7539d027fe819e63abcd020b006a976397632eb5d",
            "0100000000000000000000000000000000000000000000000000000000000000, 030000000000000000000000, 01, 0200000000000000, 1de22967237a813291213f267e3b452f02d01ae33e4ec854",
            "0100000000000000000000000000000000000000000000000000000000000000, 030000000000000000000000, 01000000000000000000000000000000 0200, 03000000000000000000000000000000 04000000, 43dd0163cdb48f9fe3212bf61b201976067f342bb879ad976d8242acc188ab59cabfe307",
            "e66021d5eb8e4f4066d4adb9c33560e4f46e44bb3da0015c94f7088736864200, e0eaf5284d884a0e77d31646, '', '', 169fbb2fbf389a995f6390af22228a62",
            "bae8e37fc83441b16034566b7a806c46bb91c3c5aedb64a6c590bc84d1a5e269, e4b47801afc0577e34699b9e, 4fbdc66f14, 671fdd, 0eaccb93da9bb81333aee0c785b240d319719d",
            "3c535de192eaed3822a2fbbe2ca9dfc88255e14a661b8aa82cc54236093bbc23, 688089e55540db1872504e1c, 734320ccc9d9bbbb19cb81b2af4ecbc3e72834321f7aa0f70b7282b4f33df23f167541, ced532ce4159b035277d4dfbb7db62968b13cd4eec, 626660c26ea6612fb17ad91e8e767639edd6c9faee9d6c7029675b89eaf4ba1ded1a286594",
            "0000000000000000000000000000000000000000000000000000000000000000, 000000000000000000000000, '', 000000000000000000000000000000004db923dc793ee6497c76dcc03a98e108, f3f80f2cf0cb2dd9c5984fcda908456cc537703b5ba70324a6793a7bf218d3eaffffffff000000000000000000000000",
            "0000000000000000000000000000000000000000000000000000000000000000, 000000000000000000000000, '', eb3640277c7ffd1303c7a542d02d3e4c0000000000000000, 18ce4f0b8cb4d0cac65fea8f79257b20888e53e72299e56dffffffff000000000000000000000000",
    })
    void aes256GcmSivMatchesRfc8452(String key, String nonce, String aad, String plaintext, String result) throws Exception {
        assertEquals(result, encode(AesGcmSiv.encrypt(decode(key), decode(nonce), decode(aad), decode(plaintext))));
        assertEquals(plaintext.replace(" ", ""), encode(AesGcmSiv.decrypt(decode(key), decode(nonce), decode(aad), decode(result))));
    }

    /** NIST GCM specification test cases 13, 14 and 16 (256-bit keys). Columns: key, iv, aad, plaintext, ciphertext||tag. */
    @ParameterizedTest
    @CsvSource({
            "0000000000000000000000000000000000000000000000000000000000000000, 000000000000000000000000, '', '', 530f8afbc74536b9a963b4f1c4cb738b",
            "0000000000000000000000000000000000000000000000000000000000000000, 000000000000000000000000, '', 00000000000000000000000000000000, cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919",
            "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308, cafebabefacedbaddecaf888, feedfacedeadbeeffeedfacedeadbeefabaddad2, "
                    + "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39, "
                    + "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
                    + "76fc6ece0f4e1768cddf8853bb2d551b",
    })
    void aes256GcmMatchesNist(String key, String iv, String aad, String plaintext, String result) throws Exception {
        byte[] out = AesGcm.encrypt(new SecretKeySpec(decode(key), "AES"), decode(iv), decode(aad), decode(plaintext));
        assertEquals(result, encode(out));
    }

    /** RFC 5649 section 6: AES key wrap with padding, as the master-key providers use it. */
    @ParameterizedTest
    @CsvSource({
            "5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8, c37b7e6492584340bed12207808941155068f738, 138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a",
            "5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8, 466f7250617369, afbeb0f07dfbf5419200f2ccb50bb24f",
    })
    void keyWrapMatchesRfc5649(String kek, String key, String wrapped) throws Exception {
        Cipher wrap = Cipher.getInstance("AES/KWP/NoPadding");
        wrap.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(decode(kek), "AES"));
        assertEquals(wrapped, encode(wrap.doFinal(decode(key))));
        Cipher unwrap = Cipher.getInstance("AES/KWP/NoPadding");
        unwrap.init(Cipher.DECRYPT_MODE, new SecretKeySpec(decode(kek), "AES"));
        assertArrayEquals(decode(key), unwrap.doFinal(decode(wrapped)));
    }
}
