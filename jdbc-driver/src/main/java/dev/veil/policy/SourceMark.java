package dev.veil.policy;

/**
 * Where something was written in a policy file, for error messages.
 *
 * @param source the file name (or another description of the source)
 * @param line 1-based line
 * @param column 1-based column
 */
public record SourceMark(String source, int line, int column) {
    @Override
    public String toString() {
        return source + ":" + line + ":" + column;
    }
}
