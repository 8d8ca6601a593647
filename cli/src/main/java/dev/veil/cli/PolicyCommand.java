package dev.veil.cli;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.policy.Policy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
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
            description = {"Holds the policy against the live schema: tables and columns exist; each column's type can hold the "
                    + "ciphertext (text or binary storage) and is wide enough, with the width needed; deterministic columns "
                    + "with few distinct values get a warning (counted with one COUNT(DISTINCT) per deterministic column).",
                    "Exit 4 when there are errors; warnings alone exit 0."},
            footer = {"%nExamples:", "  veil policy check --policy policy.yaml --url jdbc:postgresql://db/shop?user=ops",
                    "  veil policy check --min-distinct 100 …", ExitCode.FOOTER})
    static final class Check implements Callable<Integer> {
        @Mixin
        Target target;
        @Spec
        CommandSpec spec;
        @Option(names = "--min-distinct", defaultValue = "10", paramLabel = "N",
                description = "warn about deterministic columns with fewer distinct values than this (default: ${DEFAULT-VALUE})")
        int minDistinct;

        @Override
        public Integer call() throws VeilException {
            PrintWriter out = spec.commandLine().getOut();
            Policy policy = target.loadPolicy();
            try (Connection c = target.database().open()) {
                List<PolicyChecker.Finding> findings = new PolicyChecker(c, minDistinct).check(policy);
                findings.forEach(out::println);
                long errors = findings.stream().filter(f -> f.level() == PolicyChecker.Level.ERROR).count();
                long warnings = findings.stream().filter(f -> f.level() == PolicyChecker.Level.WARNING).count();
                out.println(policy.source() + ": " + policy.columns().size() + " column(s), " + errors + " error(s), " + warnings + " warning(s)");
                return errors > 0 ? ExitCode.CHECK_FAILED : ExitCode.OK;
            } catch (SQLException e) {
                throw new VeilException(VeilState.KEY_STORE_FAILURE, "cannot read the schema: " + e.getMessage(), e);
            }
        }
    }
}
