package dev.veil.it.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A throwaway certificate authority and a server certificate it signed for {@code localhost} and
 * {@code 127.0.0.1}, made with {@code openssl} for one test run (P-256 keys: quick to generate).
 *
 * @param ca the CA certificate (PEM), what clients are given to verify the server
 * @param cert the server certificate (PEM)
 * @param key the server's private key (PEM, unencrypted)
 */
public record TestCertificates(Path ca, Path cert, Path key) {
    /** Makes the CA and the server certificate in {@code dir}. */
    public static TestCertificates create(Path dir) throws IOException, InterruptedException {
        Path caKey = dir.resolve("ca.key");
        Path ca = dir.resolve("ca.crt");
        Path key = dir.resolve("server.key");
        Path csr = dir.resolve("server.csr");
        Path cert = dir.resolve("server.crt");
        Path ext = dir.resolve("server.ext");
        String ec = "ec_paramgen_curve:prime256v1";
        Processes.run(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", ec, "-nodes", "-keyout", caKey.toString(),
                "-out", ca.toString(), "-days", "2", "-subj", "/CN=Veil test CA", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign"));
        Processes.run(List.of("openssl", "req", "-newkey", "ec", "-pkeyopt", ec, "-nodes", "-keyout", key.toString(), "-out", csr.toString(),
                "-subj", "/CN=localhost"));
        Files.writeString(ext, "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
        Processes.run(List.of("openssl", "x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-out", cert.toString(), "-days", "2", "-extfile", ext.toString()));
        return new TestCertificates(ca, cert, key);
    }
}
