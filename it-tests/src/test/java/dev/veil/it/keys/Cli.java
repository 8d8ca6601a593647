package dev.veil.it.keys;

import dev.veil.cli.Main;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs {@code veil} commands in this JVM, as the jar's Main-Class would. */
record Cli(int code, String out, String err) {

    static Cli run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Cli(code, out.toString(), err.toString());
    }

    @Override
    public String toString() {
        return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
