package dev.veil.sql;

import dev.veil.VeilState;
import dev.veil.policy.Policy;
import dev.veil.policy.TablePolicy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Refuses statements whose effect on encrypted values Veil cannot see: server-side code (a DO block,
 * a prepared statement, a function, procedure, rule or trigger definition, a bulk load from a file)
 * that names a protected relation. Dialect-neutral: each dialect's lexer finds such statements and
 * hands their text here.
 *
 * <p>A table may opt in with {@code allow-opaque: true} in the policy; the text of such code is then
 * passed through unchanged, and whatever values it holds reach the server as written.
 */
final class OpaqueCode {
    private final Policy policy;
    private final FastPathFilter filter;

    OpaqueCode(Policy policy, FastPathFilter filter) {
        this.policy = policy;
        this.filter = filter;
    }

    /** Whether the policy protects any table (so that code Veil cannot inspect at all must be refused). */
    boolean protectsAnything() {
        return !policy.tables().isEmpty();
    }

    /**
     * Throws unless every protected relation {@code text} names (anywhere: in names, string bodies
     * or comments) allows opaque code.
     *
     * @param what the kind of statement, for the message ({@code "a DO block"})
     * @param text the statement's text as the application wrote it
     * @throws Rejection VE006 naming the tables that do not allow it
     */
    void refuseUnlessAllowed(String what, String text) {
        List<String> refused = refusedTables(text);
        if (!refused.isEmpty()) {
            throw new Rejection(VeilState.UNSUPPORTED_SQL, what + " names the encrypted table(s) "
                    + String.join(", ", refused) + ": Veil cannot see what server-side code does with their values, "
                    + "so it is refused. Run it outside the application as a reviewed migration, or set "
                    + "allow-opaque: true on the table in the policy to accept that such code may handle plaintext");
        }
    }

    /**
     * Throws unless a call of an existing stored routine may run: every protected relation its body
     * (and the bodies of the routines it calls) names allows opaque code, or, when it runs dynamic
     * SQL or its body cannot be read, every table of the policy does.
     *
     * @param routine the routine's name as written in the call, for the message
     * @param reach what the catalog says the routine can reach
     * @param relations the snapshot that knows the routines, whose names are not relations
     * @throws Rejection VE006
     */
    void refuseCallUnlessAllowed(String routine, StoredRoutines.Reach reach, ProtectedRelations relations) {
        String what = "a call of the stored routine " + routine;
        if (reach.anyTable()) {
            refuseUnlessAllAllowed(what + " (its body runs dynamic SQL or cannot be read by this user)");
            return;
        }
        List<String> refused = new ArrayList<>(refusedTables(reach.text()));
        refused.removeIf(name -> relations.routine(name) != null);
        if (!refused.isEmpty()) {
            throw new Rejection(VeilState.UNSUPPORTED_SQL, what + " runs server-side code that reaches the encrypted table(s) "
                    + String.join(", ", refused) + ": Veil cannot see what it does with their values, so it is refused. "
                    + "Run it outside the application, or set allow-opaque: true on the table in the policy to accept that "
                    + "such code may handle plaintext");
        }
    }

    /**
     * Throws unless every table of the policy allows opaque code: for code that may reach any table
     * (dynamic SQL), since no table can be named.
     *
     * @param what the kind of code, for the message
     * @throws Rejection VE006
     */
    void refuseUnlessAllAllowed(String what) {
        List<String> refused = new ArrayList<>();
        for (TablePolicy t : policy.tables()) {
            if (!t.allowOpaque()) {
                refused.add(t.name().toString());
            }
        }
        if (!refused.isEmpty()) {
            throw new Rejection(VeilState.UNSUPPORTED_SQL, what + ", which can reach any table, the encrypted ones ("
                    + String.join(", ", refused) + ") included: Veil cannot see what it does, so it is refused. Run it "
                    + "outside the application as a reviewed migration; it runs through Veil only when every table in "
                    + "the policy sets allow-opaque: true");
        }
    }

    /**
     * The protected relations {@code text} names whose policy does not allow opaque code, in order of
     * mention. A protected relation that is no policy table (a view, partition or child) never does.
     */
    List<String> refusedTables(String text) {
        if (!filter.mayMention(text)) {
            return List.of();
        }
        List<String> refused = new ArrayList<>();
        for (String name : filter.mentioned(text)) {
            boolean policyTable = false;
            for (TablePolicy t : policy.tables()) {
                if (t.name().name().key().toLowerCase(Locale.ROOT).equals(name)) {
                    policyTable = true;
                    if (!t.allowOpaque() && !refused.contains(t.name().toString())) {
                        refused.add(t.name().toString());
                    }
                }
            }
            if (!policyTable && !refused.contains(name)) {
                refused.add(name);
            }
        }
        return refused;
    }
}
