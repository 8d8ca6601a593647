package dev.veil.cli;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.keys.ConnectionFactory;
import dev.veil.policy.Policy;
import dev.veil.policy.PolicyLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.sql.Connection;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code veil policy …}. */
@Command(name = "policy", mixinStandardHelpOptions = true, description = "Policy checks.",
        subcommands = PolicyCommand.Check.class, footer = ExitCode.FOOTER)
final class PolicyCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Runs the driver's own start-up checks, reporting instead of refusing: the policy loads, the "
                    + "master key opens with its settings (keystore or token, password or PIN variable, alias or label), and "
                    + "the policy's tables and columns exist. Then: each column's type can hold the ciphertext (text or binary "
                    + "storage), with the width needed and, for bounded columns, the largest value that fits; deterministic "
                    + "columns with few distinct values get a warning (one COUNT(DISTINCT) per deterministic column). For "
                    + "searchable columns: the leakage budget of each capability (what the database learns, expected "
                    + "coincidences rows/2^bits, a planned token length), warnings for few distinct values, revealing "
                    + "combinations and rows without tokens; --ddl prints the companion columns' DDL.",
                    "Exit 4 when there are errors (a policy that does not load included); warnings alone exit 0."},
            footer = {"%nExamples:", "  veil policy check --policy policy.yaml --url jdbc:postgresql://db/shop?user=ops",
                    "  veil policy check --min-distinct 100 …", "  veil policy check --ddl --policy policy.yaml", ExitCode.FOOTER})
    static final class Check implements Callable<Integer> {
        @Mixin
        Target target;
        @Spec
        CommandSpec spec;
        @Option(names = "--ddl", description = "print the DDL that adds the companion columns (and their indexes) of searchable "
                + "columns, then stop; needs only --policy")
        boolean ddl;
        @Option(names = "--min-distinct", defaultValue = "10", paramLabel = "N",
                description = "warn about deterministic columns with fewer distinct values than this (default: ${DEFAULT-VALUE})")
        int minDistinct;

        @Override
        public Integer call() throws VeilException {
            PrintWriter out = spec.commandLine().getOut();
            Path path = target.policyPath();
            Policy policy;
            try {
                policy = PolicyLoader.load(path);
            } catch (VeilException e) {
                out.println(new PolicyChecker.Finding(PolicyChecker.Level.ERROR, "policy", e.getSQLState() + " " + e.getMessage()));
                out.println(path + ": the policy cannot be loaded, 1 error(s)");
                return ExitCode.CHECK_FAILED;
            }
            if (ddl) {
                printDdl(policy, out);
                return ExitCode.OK;
            }
            ConnectionFactory database = target.database();
            List<PolicyChecker.Finding> findings = new ArrayList<>(PolicyChecker.engineStart(policy, database));
            try (Connection c = database.open()) {
                findings.addAll(new PolicyChecker(c, minDistinct).check(policy));
            } catch (SQLException e) {
                throw new VeilException(VeilState.JOB_FAILED, "policy check cannot read the schema (" + dev.veil.DatabaseFailure.describe(e) + ")", e);
            }
            findings.forEach(out::println);
            long errors = findings.stream().filter(f -> f.level() == PolicyChecker.Level.ERROR).count();
            long warnings = findings.stream().filter(f -> f.level() == PolicyChecker.Level.WARNING).count();
            out.println(policy.source() + ": " + policy.columns().size() + " column(s), " + errors + " error(s), " + warnings + " warning(s)");
            return errors > 0 ? ExitCode.CHECK_FAILED : ExitCode.OK;
        }

        /** The companion columns and indexes of every searchable column, as PostgreSQL DDL. */
        static void printDdl(Policy policy, PrintWriter out) {
            boolean any = false;
            for (dev.veil.policy.TablePolicy t : policy.tables()) {
                List<String> ddl = dev.veil.search.CompanionColumns.ddl(t);
                if (!ddl.isEmpty()) {
                    out.println("-- search index of " + t.name() + " (" + policy.mark(t) + "); then backfill: veil migrate");
                    ddl.forEach(s -> out.println(s + ";"));
                    out.println("-- guard: from now on the database refuses a value written without its search tokens (by a process");
                    out.println("-- whose policy lacks the search, or a plain client); an error here if the guard exists already");
                    dev.veil.search.CompanionColumns.guardDdl(t).forEach(s -> out.println(s + ";"));
                    out.println("-- once 'veil migrate' has backfilled every row, have the database check the rows written before:");
                    dev.veil.search.CompanionColumns.validateDdl(t).forEach(s -> out.println("-- " + s + ";"));
                    any = true;
                }
            }
            if (!any) {
                out.println("-- " + policy.source() + " declares no searchable column: nothing to add");
            }
        }
    }
}
