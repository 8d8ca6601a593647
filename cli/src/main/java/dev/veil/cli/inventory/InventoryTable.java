package dev.veil.cli.inventory;

import dev.veil.keys.KeyRecord;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** An {@link Inventory} for people: one table each for columns, algorithms, master keys and data keys. */
public final class InventoryTable {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm'Z'").withZone(ZoneOffset.UTC);

    private InventoryTable() {
    }

    public static void print(Inventory inv, PrintWriter out) {
        out.println("COLUMNS");
        out.printf("  %-32s %-13s %-9s %-14s %-16s %s%n", "COLUMN", "MODE", "TYPE", "RING", "ALGORITHM", "SEARCH");
        for (Inventory.Column c : inv.columns()) {
            out.printf("  %-32s %-13s %-9s %-14s %-16s %s%n", c.name(), c.policy().mode().policyName(), c.policy().type().policyName(),
                    c.policy().keyRing(), c.algorithm().name(), c.search().isEmpty() ? "-" : String.join(", ", c.search()));
        }
        out.println();
        out.println("ALGORITHMS");
        out.printf("  %-24s %-26s %s%n", "ALGORITHM", "OID", "USE");
        for (CryptoAlgorithm a : inv.algorithms()) {
            out.printf("  %-24s %-26s %s%n", a.name(), a.oid() == null ? "-" : a.oid(), a.use());
        }
        out.println();
        out.println("MASTER KEYS");
        out.printf("  %-32s %-10s %s%n", "ID", "PROVIDER", "WRAPS WITH");
        for (Inventory.MasterKey m : inv.masterKeys()) {
            out.printf("  %-32s %-10s %s%n", m.id(), m.provider(), m.wrap() == null ? "-" : m.wrap().name());
        }
        out.println();
        out.println("DATA KEYS");
        if (!inv.keysRead()) {
            out.println("  (not read: pass --url to read the key table)");
            return;
        }
        out.printf("  %-14s %7s %11s %-12s %-17s %-17s %s%n", "RING", "VERSION", "ID", "STATE", "CREATED", "EXPIRES", "MASTER KEY");
        for (Inventory.Ring r : inv.rings()) {
            for (KeyRecord k : r.keys()) {
                out.printf("  %-14s %7d %11d %-12s %-17s %-17s %s%n", r.name(), k.version(), k.keyId(), k.state().storedName(),
                        time(k.createdAt()), time(k.expiresAt()), k.wrapped() == null ? "-" : k.masterKeyId());
            }
            if (r.keys().isEmpty()) {
                out.printf("  %-14s (no data key yet: the first encryption creates one)%n", r.name());
            }
        }
    }

    private static String time(Instant t) {
        return t == null ? "never" : TIME.format(t);
    }
}
