package dev.veil.bench;

/** How the benchmark's application reaches PostgreSQL. Every mode goes through a HikariCP pool. */
enum Mode {
    /** pgjdbc, plaintext: the baseline. */
    RAW,
    /** pgjdbc; the application calls {@code ColumnCipher} itself before binding and after reading — the floor for any encrypting driver. */
    HAND,
    /** HikariCP pooling {@code jdbc:veil:postgresql://…} connections made by {@code VeilDriver}. */
    VEIL
}
