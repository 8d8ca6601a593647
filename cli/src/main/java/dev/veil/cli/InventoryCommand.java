package dev.veil.cli;

import dev.veil.Veil;
import dev.veil.VeilException;
import dev.veil.cli.inventory.CycloneDx;
import dev.veil.cli.inventory.Inventory;
import dev.veil.cli.inventory.InventoryTable;
import dev.veil.jdbc.VeilDriver;
import dev.veil.keys.DataKeyStore;
import dev.veil.keys.KeyRecord;
import dev.veil.policy.Policy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code veil inventory}: the cryptographic inventory of a policy and its key table. */
@Command(name = "inventory", mixinStandardHelpOptions = true,
        description = {"The cryptographic inventory (CycloneDX 1.6 CBOM): encrypted columns, algorithms, master and data keys.",
                "Describes what Veil protects: the encrypted columns (mode, type, ring, lookups), the algorithms (with OIDs), "
                + "the master keys (ids and providers) and every data key (ring, version, state, created, expires, wrapping master key).",
                "As a CycloneDX 1.6 cryptography bill of materials (CBOM, JSON) or as tables. Reads the key table without the master "
                        + "key; no key material is ever printed."},
        footer = {"%nExamples:", "  veil inventory --policy policy.yaml --url jdbc:postgresql://db/shop?user=auditor > cbom.json",
                "  veil inventory --format table --policy policy.yaml --url …", "  veil inventory --policy policy.yaml      (columns and algorithms only)",
                ExitCode.FOOTER})
final class InventoryCommand implements Callable<Integer> {
    /** Output formats. */
    enum Format { cyclonedx, table }

    @Mixin
    Target target;
    @Spec
    CommandSpec spec;
    @Option(names = "--format", paramLabel = "FORMAT", description = "cyclonedx (default) or table")
    Format format = Format.cyclonedx;

    @Override
    public Integer call() throws VeilException {
        PrintWriter out = spec.commandLine().getOut();
        Policy policy = target.loadPolicy();
        List<KeyRecord> keys = null;
        if (target.hasDatabase()) {
            keys = new DataKeyStore(Veil.keyDatabase(policy, target.database()), policy.keys().store().table()).all();
        }
        Inventory inventory = Inventory.of(policy, keys);
        if (format == Format.table) {
            InventoryTable.print(inventory, out);
        } else {
            out.print(CycloneDx.render(inventory, VeilDriver.MAJOR_VERSION + "." + VeilDriver.MINOR_VERSION + ".0", Instant.now()));
        }
        out.flush();
        return ExitCode.OK;
    }
}
