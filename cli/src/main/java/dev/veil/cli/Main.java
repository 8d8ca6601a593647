package dev.veil.cli;

import dev.veil.VeilException;
import dev.veil.VeilState;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * {@code veil}: the operator's tool. Runs as {@code java -jar veil-agent.jar <command>} (the
 * agent's Main-Class), {@code java -jar veil-cli.jar <command>}, or the {@code veil} script.
 */
@Command(name = "veil", mixinStandardHelpOptions = true, version = "veil 0.1.0",
        description = "Veil operator commands: key lifecycle, policy checks, bulk jobs (migrate, rekey, verify) and the cryptographic inventory.",
        subcommands = {KeysCommand.class, PolicyCommand.class, JobCommands.Migrate.class, JobCommands.Rekey.class,
                JobCommands.Verify.class, InventoryCommand.class, CommandLine.HelpCommand.class},
        footer = {"%nExamples:", "  veil keys list --policy /etc/veil/policy.yaml --url jdbc:postgresql://db/shop?user=ops --usage",
                "  veil policy check --policy /etc/veil/policy.yaml --url jdbc:postgresql://db/shop?user=ops",
                "%nThe Java agent (agent/target/veil-agent.jar): java -javaagent:veil-agent.jar=policy=/etc/veil/policy.yaml -jar app.jar",
                ExitCode.FOOTER})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs one command with the given output streams; returns its exit code (for tests and embedding). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setUsageHelpWidth(120);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException ? ExitCode.USAGE
                : e instanceof VeilException v && v.state() == VeilState.KEY_IN_USE ? ExitCode.IN_USE : ExitCode.FAILURE);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            report(commandLine.getErr(), commandLine.getCommandSpec().qualifiedName(), e);
            return commandLine.getExitCodeExceptionMapper().getExitCode(e);
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /**
     * Prints a failure as {@code veil: VE0xx <what failed, where, what to do>}, then what the
     * database or the JVM said on a {@code cause:} line: their message follows Veil's own, never
     * stands in for it.
     */
    static void report(PrintWriter err, String command, Throwable e) {
        VeilException v = e instanceof VeilException ve ? ve
                : e instanceof java.sql.SQLException s ? new VeilException(VeilState.JOB_FAILED, command + " failed on the database ("
                        + dev.veil.DatabaseFailure.describe(s) + ")", s)
                : new VeilException(VeilState.JOB_FAILED, command + " failed unexpectedly (" + e.getClass().getSimpleName()
                        + "); run it again, and report it with the cause below if it persists", e);
        err.println("veil: " + v.getSQLState() + " " + v.getMessage());
        for (Throwable t = v.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && !m.isBlank() && !m.equals(v.getMessage())) {
                // the nearest cause is the driver's (or the JDK's) own words; deeper ones repeat it
                err.println("  cause: " + m.strip().replace("\n", "\n         "));
                break;
            }
        }
        err.flush();
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: keys, policy, migrate, rekey, verify or inventory");
    }
}
