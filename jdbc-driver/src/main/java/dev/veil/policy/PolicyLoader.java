package dev.veil.policy;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.search.CompanionColumns;
import dev.veil.search.SearchCapability;
import dev.veil.search.SearchSpec;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads and validates a YAML policy.
 *
 * <p>The YAML is only <em>composed</em> into a node tree by SnakeYAML's safe API; no Java object is
 * ever constructed from it, so a policy file cannot instantiate classes. Every error names the
 * file, line and column and says what was expected.
 */
public final class PolicyLoader {
    /** The ring used by columns that name none. */
    public static final String DEFAULT_RING = "default";

    private static final Set<String> TOP_KEYS = Set.of("version", "keys", "tables", "jobs", "match", "schema", "strict",
            "transport");
    private static final Set<String> KEYS_KEYS = Set.of("master", "rotate-after", "rings", "store", "cache-size", "refresh-after",
            "on-missing-key");
    private static final Set<String> RING_KEYS = Set.of("rotate-after", "master-key", "on-missing-key");
    /** The most decimal places a column's {@code scale} may declare (PostgreSQL's numeric allows 1000 in a typmod). */
    private static final int MAX_SCALE = 1000;
    private static final Set<String> COLUMN_KEYS = Set.of("mode", "type", "key", "domain", "storage", "migrating", "scale", "search");
    private static final Set<String> TABLE_KEYS = Set.of("columns", "allow-unparseable", "allow-opaque");
    private static final Set<String> STORE_KEYS = Set.of("table", "url", "user", "password-env");
    private static final Set<String> MATCH_KEYS = Set.of("urls", "databases");
    private static final Set<String> TRANSPORT_KEYS = Set.of("require-tls", "verify", "min-version");

    /** The largest policy file read, in bytes. */
    public static final int MAX_BYTES = 4 * 1024 * 1024;
    /** The only tags a policy may carry (all resolved implicitly from plain YAML). */
    private static final Set<Tag> PLAIN_TAGS = Set.of(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL, Tag.MAP, Tag.SEQ, Tag.TIMESTAMP);

    private final String source;

    private PolicyLoader(String source) {
        this.source = source;
    }

    /**
     * Loads a policy file.
     *
     * @throws VeilException {@code VE001} when the file cannot be read or is invalid
     */
    public static Policy load(Path path) throws VeilException {
        return parse(read(path), path.toString());
    }

    /**
     * The text of a policy file: at most {@link #MAX_BYTES} bytes are read (a device or a huge file
     * named by mistake fails without filling memory), and it must be UTF-8.
     */
    private static String read(Path path) throws VeilException {
        if (Files.isDirectory(path)) {
            throw new VeilException(VeilState.POLICY_INVALID, path + ": is a directory, not a policy file; name the YAML file itself"
                    + " (for example " + path.resolve("policy.yaml") + ")");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(path)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new VeilException(VeilState.POLICY_INVALID, "cannot read policy file " + path + ": it does not exist", e);
        } catch (AccessDeniedException e) {
            throw new VeilException(VeilState.POLICY_INVALID, "cannot read policy file " + path + ": permission denied", e);
        } catch (IOException e) {
            throw new VeilException(VeilState.POLICY_INVALID, "cannot read policy file " + path + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        }
        if (bytes.length > MAX_BYTES) {
            throw new VeilException(VeilState.POLICY_INVALID, path + ":" + position(bytes, MAX_BYTES) + ": the policy is larger than "
                    + MAX_BYTES / (1024 * 1024) + " MiB; reading stopped there. A policy is a small YAML file: check the path");
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = decoder.decode(in, out, true);
        if (!r.isError()) {
            r = decoder.flush(out);
        }
        if (r.isError()) {
            int at = in.position();
            throw new VeilException(VeilState.POLICY_INVALID, path + ":" + position(bytes, at) + ": not UTF-8 (byte 0x"
                    + String.format("%02X", bytes[at] & 0xFF) + " at offset " + at + "); save the policy as UTF-8, for example with "
                    + "iconv -f ISO-8859-1 -t UTF-8");
        }
        out.flip();
        return out.toString();
    }

    /** {@code line:column} (1-based, columns in bytes) of a byte offset. */
    private static String position(byte[] bytes, int offset) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < offset && i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return line + ":" + (offset - lineStart + 1);
    }

    /**
     * Parses policy text.
     *
     * @param sourceName the name used in error messages, usually the file path
     * @throws VeilException {@code VE001} when the policy is invalid
     */
    public static Policy parse(String yaml, String sourceName) throws VeilException {
        return new PolicyLoader(sourceName).parse(yaml);
    }

    private Policy parse(String yaml) throws VeilException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(10);
        options.setAllowRecursiveKeys(false);
        options.setCodePointLimit(MAX_BYTES);
        Node root;
        try {
            // what Yaml.compose does, without building the constructor and representer it never uses here
            root = new Composer(new ParserImpl(new StreamReader(new StringReader(yaml)), options), new Resolver(), options).getSingleNode();
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark();
            String where = m == null ? source : source + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1);
            throw new VeilException(VeilState.POLICY_INVALID, where + ": not valid YAML: " + e.getProblem());
        } catch (RuntimeException e) {
            throw new VeilException(VeilState.POLICY_INVALID, source + ": not valid YAML: " + e.getMessage());
        }
        if (root == null) {
            throw new VeilException(VeilState.POLICY_INVALID, source + ": the policy is empty; expected keys: version, keys, tables");
        }
        checkTags(root, new java.util.IdentityHashMap<>());
        Map<String, NodeTuple> top = mapping(root, "the policy", TOP_KEYS);
        int version = top.containsKey("version") ? intValue(top.get("version").getValueNode(), "version") : 0;
        if (version != 1) {
            throw error(top.containsKey("version") ? top.get("version").getValueNode() : root,
                    "unsupported policy version " + version + "; expected 'version: 1'");
        }
        if (!top.containsKey("keys")) {
            throw error(root, "missing 'keys' section; expected at least 'keys: { master: { provider: ... } }'");
        }
        KeysPolicy keys = keys(top.get("keys").getValueNode());
        Map<TableName, SourceMark> tableMarks = new HashMap<>();
        List<TablePolicy> tables = top.containsKey("tables") ? tables(top.get("tables").getValueNode(), tableMarks) : List.of();
        checkDomains(tables);
        BackgroundRekey background = top.containsKey("jobs") ? jobs(top.get("jobs").getValueNode()) : null;
        ConnectionMatch match = top.containsKey("match") ? match(top.get("match").getValueNode()) : ConnectionMatch.ALL;
        Duration schemaRefresh = top.containsKey("schema") ? schemaRefresh(top.get("schema").getValueNode()) : Policy.DEFAULT_SCHEMA_REFRESH;
        boolean strict = top.containsKey("strict") && bool(top.get("strict").getValueNode(), "strict");
        TransportPolicy transport = top.containsKey("transport") ? transport(top.get("transport").getValueNode()) : TransportPolicy.NONE;
        return new Policy(version, source, keys, tables, match, background, schemaRefresh, strict, tableMarks, transport);
    }

    /**
     * Refuses explicit tags: a local tag ({@code !custom}) would otherwise be dropped silently and
     * the value read as if untagged, and no policy value needs one.
     */
    private void checkTags(Node node, java.util.Map<Node, Boolean> seen) throws VeilException {
        if (seen.put(node, Boolean.TRUE) != null) {
            return; // an alias of a node already checked
        }
        Tag tag = node.getTag();
        if (!PLAIN_TAGS.contains(tag)) {
            throw error(node, "tag '" + tag.getValue() + "' is not allowed; a policy holds plain YAML values only (remove the tag)");
        }
        if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                checkTags(t.getKeyNode(), seen);
                checkTags(t.getValueNode(), seen);
            }
        } else if (node instanceof SequenceNode q) {
            for (Node item : q.getValue()) {
                checkTags(item, seen);
            }
        }
    }

    /** {@code schema: { refresh-after: 1m }}: how long statement plans trust the live column lists they were made from. */
    private Duration schemaRefresh(Node node) throws VeilException {
        Map<String, NodeTuple> s = mapping(node, "schema", Set.of("refresh-after"));
        return s.containsKey("refresh-after") ? duration(s.get("refresh-after").getValueNode()) : Policy.DEFAULT_SCHEMA_REFRESH;
    }

    /**
     * {@code transport: { require-tls: true, verify: full, min-version: TLSv1.2 }}; {@code verify}
     * and {@code min-version} only mean something with {@code require-tls: true}, so they are
     * refused without it rather than silently ignored.
     */
    private TransportPolicy transport(Node node) throws VeilException {
        Map<String, NodeTuple> t = mapping(node, "transport", TRANSPORT_KEYS);
        boolean require = t.containsKey("require-tls") && bool(t.get("require-tls").getValueNode(), "transport.require-tls");
        TransportPolicy.Verify verify = TransportPolicy.Verify.NONE;
        if (t.containsKey("verify")) {
            verify = choice(t.get("verify").getValueNode(), "transport.verify", TransportPolicy.Verify.values(),
                    TransportPolicy.Verify::policyName);
        }
        TransportPolicy.TlsVersion min = TransportPolicy.TlsVersion.TLS_1_2;
        if (t.containsKey("min-version")) {
            Node v = t.get("min-version").getValueNode();
            min = TransportPolicy.TlsVersion.parse(text(v, "transport.min-version"));
            if (min == null || min.compareTo(TransportPolicy.TlsVersion.TLS_1_2) < 0) {
                throw error(v, "transport.min-version must be TLSv1.2 or TLSv1.3 (older versions are not accepted), not '"
                        + ((ScalarNode) v).getValue().strip() + "'");
            }
        }
        if (!require) {
            for (String k : List.of("verify", "min-version")) {
                if (t.containsKey(k)) {
                    throw error(t.get(k).getKeyNode(), "transport." + k + " needs 'require-tls: true' beside it; without it Veil checks"
                            + " nothing about the connection");
                }
            }
            return TransportPolicy.NONE;
        }
        return new TransportPolicy(true, verify, min, mark(node));
    }

    private BackgroundRekey jobs(Node node) throws VeilException {
        Map<String, NodeTuple> j = mapping(node, "jobs", Set.of("background-rekey"));
        if (!j.containsKey("background-rekey")) {
            return null;
        }
        Map<String, NodeTuple> b = mapping(j.get("background-rekey").getValueNode(), "background-rekey", Set.of("max-rows-per-second", "interval"));
        if (!b.containsKey("max-rows-per-second")) {
            throw error(j.get("background-rekey").getValueNode(), "background-rekey needs max-rows-per-second (for example 200): "
                    + "it runs inside the application and must be throttled");
        }
        int rate = intValue(b.get("max-rows-per-second").getValueNode(), "max-rows-per-second");
        if (rate < 1) {
            throw error(b.get("max-rows-per-second").getValueNode(), "max-rows-per-second must be at least 1");
        }
        Duration interval = b.containsKey("interval") ? duration(b.get("interval").getValueNode()) : Duration.ofMinutes(10);
        if (interval == null) {
            throw error(b.get("interval").getValueNode(), "interval must be a duration such as 10m");
        }
        return new BackgroundRekey(rate, interval);
    }

    private KeysPolicy keys(Node node) throws VeilException {
        Map<String, NodeTuple> k = mapping(node, "keys", KEYS_KEYS);
        if (!k.containsKey("master")) {
            throw error(node, "missing 'master' in keys; expected for example master: { provider: pkcs12, path: ..., password-env: ..., alias: ... }");
        }
        MasterKeySettings master = master(k.get("master").getValueNode());
        Duration rotateAfter = k.containsKey("rotate-after") ? duration(k.get("rotate-after").getValueNode()) : null;
        Map<String, Optional<Duration>> rings = new HashMap<>();
        Map<String, String> ringMasters = new HashMap<>();
        Map<String, MissingKeyAction> ringMissing = new HashMap<>();
        if (k.containsKey("rings")) {
            Node ringsNode = k.get("rings").getValueNode();
            for (Map.Entry<String, NodeTuple> ring : mapping(ringsNode, "rings", null).entrySet()) {
                Map<String, NodeTuple> r = mapping(ring.getValue().getValueNode(), "ring '" + ring.getKey() + "'", RING_KEYS);
                String name = ringName(ring.getValue().getKeyNode());
                if (r.containsKey("rotate-after")) {
                    rings.put(name, Optional.ofNullable(duration(r.get("rotate-after").getValueNode())));
                }
                if (r.containsKey("master-key")) {
                    ringMasters.put(name, text(r.get("master-key").getValueNode(), "master-key of ring '" + name + "'").strip());
                }
                if (r.containsKey("on-missing-key")) {
                    ringMissing.put(name, missingKey(r.get("on-missing-key").getValueNode()));
                }
            }
        }
        MissingKeyAction onMissing = k.containsKey("on-missing-key") ? missingKey(k.get("on-missing-key").getValueNode()) : MissingKeyAction.ERROR;
        KeyStoreSettings store = KeyStoreSettings.defaults();
        if (k.containsKey("store")) {
            Map<String, NodeTuple> s = mapping(k.get("store").getValueNode(), "store", STORE_KEYS);
            String table = s.containsKey("table") ? storeTable(s.get("table").getValueNode()) : KeyStoreSettings.DEFAULT_TABLE;
            String url = s.containsKey("url") ? text(s.get("url").getValueNode(), "store url") : null;
            if (url != null && !url.startsWith("jdbc:")) {
                throw error(s.get("url").getValueNode(), "store url must be a JDBC URL starting with 'jdbc:'");
            }
            store = new KeyStoreSettings(table, url,
                    s.containsKey("user") ? text(s.get("user").getValueNode(), "store user") : null,
                    s.containsKey("password-env") ? text(s.get("password-env").getValueNode(), "store password-env") : null);
        }
        int cacheSize = k.containsKey("cache-size") ? intValue(k.get("cache-size").getValueNode(), "cache-size") : 1000;
        if (cacheSize < 1) {
            throw error(k.get("cache-size").getValueNode(), "cache-size must be at least 1");
        }
        Duration refresh = k.containsKey("refresh-after") ? finiteDuration(k.get("refresh-after").getValueNode(), "keys.refresh-after",
                "a process must look for other instances' rotations") : Duration.ofMinutes(5);
        return new KeysPolicy(master, rotateAfter, rings, store, cacheSize, refresh, ringMasters, onMissing, ringMissing);
    }

    private MissingKeyAction missingKey(Node node) throws VeilException {
        return choice(node, "on-missing-key", MissingKeyAction.values(), MissingKeyAction::policyName);
    }

    private ConnectionMatch match(Node node) throws VeilException {
        Map<String, NodeTuple> m = mapping(node, "match", MATCH_KEYS);
        List<String> urls = m.containsKey("urls") ? patterns(m.get("urls").getValueNode(), "match urls") : List.of();
        for (int i = 0; i < urls.size(); i++) {
            if (!urls.get(i).startsWith("jdbc:")) {
                throw error(((SequenceNode) m.get("urls").getValueNode()).getValue().get(i),
                        "match url pattern '" + urls.get(i) + "' must start with 'jdbc:' (for example jdbc:postgresql://db.internal/*)");
            }
        }
        List<String> databases = m.containsKey("databases") ? patterns(m.get("databases").getValueNode(), "match databases") : List.of();
        if (urls.isEmpty() && databases.isEmpty()) {
            throw error(node, "match lists no urls or databases; remove it to match every connection");
        }
        return new ConnectionMatch(urls, databases);
    }

    private List<String> patterns(Node node, String what) throws VeilException {
        if (!(node instanceof SequenceNode seq)) {
            throw error(node, what + " must be a list, for example [ 'jdbc:postgresql://db.internal/*' ]");
        }
        List<String> result = new ArrayList<>();
        for (Node item : seq.getValue()) {
            result.add(text(item, what + " entry").strip());
        }
        return result;
    }

    private MasterKeySettings master(Node node) throws VeilException {
        Map<String, NodeTuple> m = mapping(node, "master", null);
        if (!m.containsKey("provider")) {
            throw error(node, "missing 'provider' in master; expected one of: pkcs12, pkcs11, env");
        }
        String provider = text(m.get("provider").getValueNode(), "provider");
        Map<String, String> settings = new LinkedHashMap<>();
        Map<String, SourceMark> marks = new HashMap<>();
        for (Map.Entry<String, NodeTuple> e : m.entrySet()) {
            if (!e.getKey().equals("provider")) {
                settings.put(e.getKey(), text(e.getValue().getValueNode(), e.getKey()));
                marks.put(e.getKey(), mark(e.getValue().getValueNode()));
            }
        }
        return new MasterKeySettings(provider, settings, marks, mark(node));
    }

    private List<TablePolicy> tables(Node node, Map<TableName, SourceMark> marks) throws VeilException {
        List<TablePolicy> result = new ArrayList<>();
        Map<String, TableName> seen = new HashMap<>();
        for (Map.Entry<String, NodeTuple> entry : mapping(node, "tables", null).entrySet()) {
            Node keyNode = entry.getValue().getKeyNode();
            TableName name = tableName(keyNode);
            String id = (name.schema() == null ? "" : name.schema().key()) + "." + name.name().key();
            if (seen.putIfAbsent(id, name) != null) {
                throw error(keyNode, "table " + name + " is listed twice (names differing only in case are ambiguous)");
            }
            result.add(table(name, entry.getValue().getValueNode()));
            marks.put(name, mark(keyNode));
        }
        return result;
    }

    private TablePolicy table(TableName name, Node node) throws VeilException {
        Map<String, NodeTuple> t = mapping(node, "table " + name, null);
        Node columnsNode = node;
        boolean allowUnparseable = false;
        boolean allowOpaque = false;
        if (t.containsKey("columns")) {
            Map<String, NodeTuple> longForm = mapping(node, "table " + name, TABLE_KEYS);
            columnsNode = longForm.get("columns").getValueNode();
            if (longForm.containsKey("allow-unparseable")) {
                allowUnparseable = bool(longForm.get("allow-unparseable").getValueNode(), "allow-unparseable");
            }
            if (longForm.containsKey("allow-opaque")) {
                allowOpaque = bool(longForm.get("allow-opaque").getValueNode(), "allow-opaque");
            }
        }
        Map<String, ColumnPolicy> columns = new LinkedHashMap<>();
        for (Map.Entry<String, NodeTuple> c : mapping(columnsNode, "columns of " + name, null).entrySet()) {
            Node keyNode = c.getValue().getKeyNode();
            Identifier column = identifier(keyNode, "column name");
            ColumnPolicy policy = column(new ColumnRef(name, column), keyNode, c.getValue().getValueNode());
            if (columns.putIfAbsent(column.key(), policy) != null) {
                throw error(keyNode, "column " + name + "." + column + " is listed twice (names differing only in case are ambiguous)");
            }
        }
        if (columns.isEmpty()) {
            throw error(columnsNode, "table " + name + " lists no columns");
        }
        return new TablePolicy(name, columns, allowUnparseable, allowOpaque);
    }

    private ColumnPolicy column(ColumnRef ref, Node keyNode, Node node) throws VeilException {
        if (node instanceof ScalarNode) {
            EncryptionMode mode = choice(node, "mode of " + ref, EncryptionMode.values(), EncryptionMode::policyName);
            return new ColumnPolicy(ref, mode, LogicalType.STRING, DEFAULT_RING, null, StorageFormat.TEXT, false, mark(keyNode));
        }
        Map<String, NodeTuple> c = mapping(node, "column " + ref, COLUMN_KEYS);
        if (!c.containsKey("mode")) {
            throw error(node, "missing 'mode' for column " + ref + "; expected one of: randomized, deterministic");
        }
        EncryptionMode mode = choice(c.get("mode").getValueNode(), "mode of " + ref, EncryptionMode.values(), EncryptionMode::policyName);
        LogicalType type = c.containsKey("type")
                ? choice(c.get("type").getValueNode(), "type of " + ref, LogicalType.values(), LogicalType::policyName)
                : LogicalType.STRING;
        String ring = c.containsKey("key") ? ringName(c.get("key").getValueNode()) : DEFAULT_RING;
        String domain = c.containsKey("domain") ? ringName(c.get("domain").getValueNode()) : null;
        StorageFormat storage = c.containsKey("storage")
                ? choice(c.get("storage").getValueNode(), "storage of " + ref, StorageFormat.values(), StorageFormat::policyName)
                : StorageFormat.TEXT;
        boolean migrating = c.containsKey("migrating") && bool(c.get("migrating").getValueNode(), "migrating");
        Integer scale = null;
        if (c.containsKey("scale")) {
            Node n = c.get("scale").getValueNode();
            if (type != LogicalType.DECIMAL) {
                throw error(n, "scale of " + ref + " applies to type: decimal only (this column is " + type.policyName() + ")");
            }
            scale = intValue(n, "scale of " + ref);
            if (scale < 0 || scale > MAX_SCALE) {
                throw error(n, "scale of " + ref + " must be between 0 and " + MAX_SCALE + " (decimal places)");
            }
        }
        SearchSpec search = c.containsKey("search") ? search(ref, type, scale, c.get("search").getValueNode()) : SearchSpec.NONE;
        return new ColumnPolicy(ref, mode, type, ring, domain, storage, migrating, mark(keyNode), scale, search);
    }

    /**
     * {@code search: [prefix, ci]} (defaults for every parameter) or {@code search: { prefix: { max: 10 }, ci: {} }}.
     * Each capability must fit the column's type; a decimal column needs a {@code scale} for range.
     */
    private SearchSpec search(ColumnRef ref, LogicalType type, Integer scale, Node node) throws VeilException {
        Map<SearchCapability, Node> wanted = new java.util.EnumMap<>(SearchCapability.class);
        Map<SearchCapability, Node> at = new java.util.EnumMap<>(SearchCapability.class);
        String what = "search of " + ref;
        if (node instanceof SequenceNode seq) {
            for (Node item : seq.getValue()) {
                SearchCapability c = choice(item, "search capability of " + ref, SearchCapability.values(), SearchCapability::policyName);
                if (wanted.containsKey(c)) {
                    throw error(item, "search capability '" + c.policyName() + "' is listed twice for " + ref);
                }
                wanted.put(c, null);
                at.put(c, item);
            }
        } else if (node instanceof MappingNode) {
            Set<String> names = Arrays.stream(SearchCapability.values()).map(SearchCapability::policyName).collect(Collectors.toSet());
            for (Map.Entry<String, NodeTuple> e : mapping(node, what, names).entrySet()) {
                SearchCapability c = choice(e.getValue().getKeyNode(), "search capability of " + ref, SearchCapability.values(),
                        SearchCapability::policyName);
                Node v = e.getValue().getValueNode();
                wanted.put(c, v instanceof ScalarNode sv && (sv.getTag().equals(Tag.NULL) || sv.getValue().isEmpty()) ? null : v);
                at.put(c, e.getValue().getKeyNode());
            }
        } else {
            throw error(node, what + " must be a list such as [prefix, ci] or a mapping such as { prefix: { max: 10 } }");
        }
        if (wanted.isEmpty()) {
            throw error(node, what + " names no capability; expected some of: " + Arrays.stream(SearchCapability.values())
                    .map(SearchCapability::policyName).collect(Collectors.joining(", ")) + " (or remove 'search')");
        }
        for (Map.Entry<SearchCapability, Node> e : at.entrySet()) {
            SearchCapability c = e.getKey();
            if (!c.appliesTo(type)) {
                throw error(e.getValue(), "search capability '" + c.policyName() + "' does not apply to " + ref + " of type "
                        + type.policyName() + "; it applies to type " + c.types().stream().map(LogicalType::policyName)
                        .collect(Collectors.joining(", ")));
            }
            if (c == SearchCapability.RANGE && type == LogicalType.DECIMAL && scale == null) {
                throw error(e.getValue(), "search capability 'range' on decimal column " + ref + " needs a 'scale' "
                        + "(the decimal places every value has), so that values order as exact integers");
            }
            String companion = CompanionColumns.name(ref, c).text();
            if (companion.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > CompanionColumns.MAX_NAME_BYTES) {
                throw error(e.getValue(), "the companion column of " + ref + " for '" + c.policyName() + "' would be named "
                        + companion + ", longer than the " + CompanionColumns.MAX_NAME_BYTES + " bytes PostgreSQL allows; "
                        + "search on a column with a shorter name");
            }
        }
        SearchSpec.Prefix prefix = null;
        SearchSpec.Substring substring = null;
        SearchSpec.CaseInsensitive ci = null;
        SearchSpec.Range range = null;
        if (wanted.containsKey(SearchCapability.PREFIX)) {
            Map<String, NodeTuple> p = params(wanted.get(SearchCapability.PREFIX), "prefix search of " + ref, Set.of("max", "bits"));
            int max = bounded(p.get("max"), "prefix max of " + ref, SearchSpec.Prefix.DEFAULT_MAX, 1, SearchSpec.Prefix.LIMIT, "code points");
            prefix = new SearchSpec.Prefix(max, bits(p.get("bits"), "prefix bits of " + ref));
        }
        if (wanted.containsKey(SearchCapability.SUBSTRING)) {
            Map<String, NodeTuple> p = params(wanted.get(SearchCapability.SUBSTRING), "substring search of " + ref, Set.of("ngram", "bits"));
            int n = bounded(p.get("ngram"), "substring ngram of " + ref, SearchSpec.Substring.DEFAULT_NGRAM, 1,
                    SearchSpec.Substring.LIMIT, "code points");
            substring = new SearchSpec.Substring(n, bits(p.get("bits"), "substring bits of " + ref));
        }
        if (wanted.containsKey(SearchCapability.CI)) {
            Map<String, NodeTuple> p = params(wanted.get(SearchCapability.CI), "ci search of " + ref, Set.of("bits"));
            ci = new SearchSpec.CaseInsensitive(bits(p.get("bits"), "ci bits of " + ref));
        }
        if (wanted.containsKey(SearchCapability.RANGE)) {
            Map<String, NodeTuple> p = params(wanted.get(SearchCapability.RANGE), "range search of " + ref,
                    Set.of("branch-bits", "leaf-bits", "bits"));
            int branch = bounded(p.get("branch-bits"), "range branch-bits of " + ref, SearchSpec.Range.DEFAULT_BRANCH, 1,
                    SearchSpec.Range.MAX_BRANCH, "bits per level");
            int leaf = bounded(p.get("leaf-bits"), "range leaf-bits of " + ref, 0, 0, SearchSpec.Range.MAX_LEAF, "bits");
            range = new SearchSpec.Range(branch, leaf, bits(p.get("bits"), "range bits of " + ref));
        }
        return new SearchSpec(prefix, substring, ci, range);
    }

    private Map<String, NodeTuple> params(Node node, String what, Set<String> allowed) throws VeilException {
        return node == null ? Map.of() : mapping(node, what, allowed);
    }

    /** An optional whole-number parameter within {@code [min, max]}. */
    private int bounded(NodeTuple t, String what, int dflt, int min, int max, String unit) throws VeilException {
        if (t == null) {
            return dflt;
        }
        int v = intValue(t.getValueNode(), what);
        if (v < min || v > max) {
            throw error(t.getValueNode(), what + " must be between " + min + " and " + max + " (" + unit + ")");
        }
        return v;
    }

    /** A token length: {@code exact} (128, the default) or a multiple of 8 from 8 to 128. */
    private int bits(NodeTuple t, String what) throws VeilException {
        if (t == null || text(t.getValueNode(), what).strip().equalsIgnoreCase("exact")) {
            return SearchSpec.EXACT_BITS;
        }
        int v = intValue(t.getValueNode(), what);
        if (v < SearchSpec.MIN_BITS || v > SearchSpec.EXACT_BITS || v % 8 != 0) {
            throw error(t.getValueNode(), what + " must be 'exact' or a multiple of 8 from " + SearchSpec.MIN_BITS + " to "
                    + SearchSpec.EXACT_BITS + " (see 'veil policy check' for a planned length)");
        }
        return v;
    }

    /** Columns sharing a domain must share what makes their ciphertexts comparable. */
    private void checkDomains(List<TablePolicy> tables) throws VeilException {
        Map<String, ColumnPolicy> first = new HashMap<>();
        for (TablePolicy t : tables) {
            for (ColumnPolicy c : t.columns().values()) {
                if (c.domain() == null) {
                    continue;
                }
                ColumnPolicy f = first.putIfAbsent(c.domain(), c);
                if (f == null) {
                    continue;
                }
                String what = f.type() != c.type() ? "types (" + f.type().policyName() + " vs " + c.type().policyName() + ")"
                        : f.mode() != c.mode() ? "modes (" + f.mode().policyName() + " vs " + c.mode().policyName() + ")"
                        : !f.keyRing().equals(c.keyRing()) ? "keys (" + f.keyRing() + " vs " + c.keyRing() + ")"
                        : null;
                if (what != null) {
                    throw new VeilException(VeilState.POLICY_INVALID, c.mark() + ": domain '" + c.domain() + "' is shared by "
                            + f.column() + " (" + f.mark() + ") and " + c.column() + " with different " + what
                            + "; columns of one domain must have the same type, mode and key");
                }
            }
        }
    }

    // ---- node helpers ----

    /** The entries of a mapping by key text, rejecting duplicate keys and keys outside {@code allowed}. */
    private Map<String, NodeTuple> mapping(Node node, String what, Set<String> allowed) throws VeilException {
        if (!(node instanceof MappingNode mappingNode)) {
            throw error(node, what + " must be a mapping (key: value)");
        }
        Map<String, NodeTuple> entries = new LinkedHashMap<>();
        for (NodeTuple tuple : mappingNode.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode scalar)) {
                throw error(keyNode, "keys in " + what + " must be plain names");
            }
            String key = scalar.getValue();
            if (allowed != null && !allowed.contains(key)) {
                throw error(keyNode, "unknown key '" + key + "' in " + what + "; expected one of: " + sorted(allowed));
            }
            if (entries.putIfAbsent(key, tuple) != null) {
                throw error(keyNode, "duplicate key '" + key + "' in " + what);
            }
        }
        return entries;
    }

    private String text(Node node, String what) throws VeilException {
        if (!(node instanceof ScalarNode scalar) || scalar.getValue().isBlank()) {
            throw error(node, what + " must be a non-empty value");
        }
        return scalar.getValue();
    }

    private int intValue(Node node, String what) throws VeilException {
        String s = text(node, what);
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            throw error(node, what + " must be a whole number");
        }
    }

    private boolean bool(Node node, String what) throws VeilException {
        String s = text(node, what).strip().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw error(node, what + " must be true or false");
        };
    }

    private Duration duration(Node node) throws VeilException {
        try {
            return Durations.parse(text(node, "duration"));
        } catch (IllegalArgumentException e) {
            throw error(node, e.getMessage());
        }
    }

    /** A duration where {@code never} makes no sense. */
    private Duration finiteDuration(Node node, String what, String why) throws VeilException {
        Duration d = duration(node);
        if (d == null) {
            throw error(node, what + " cannot be 'never': " + why + "; expected a positive number with a unit s, m, h, d or w (for example 5m)");
        }
        return d;
    }

    private <E extends Enum<E>> E choice(Node node, String what, E[] values, java.util.function.Function<E, String> name)
            throws VeilException {
        String s = text(node, what).strip();
        for (E v : values) {
            if (name.apply(v).equalsIgnoreCase(s)) {
                return v;
            }
        }
        throw error(node, "unknown " + what + " '" + s + "'; expected one of: "
                + Arrays.stream(values).map(name).collect(Collectors.joining(", ")));
    }

    private static final Pattern RING = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private String ringName(Node node) throws VeilException {
        String s = text(node, "name").strip();
        if (!RING.matcher(s).matches()) {
            throw error(node, "bad name '" + s + "'; expected letters, digits, '-', '_' or '.', at most 64 characters");
        }
        return s;
    }

    private static final Pattern IDENT = Pattern.compile("\"(?:[^\"]|\"\")+\"|`[^`]+`|[A-Za-z_][A-Za-z0-9_$]*");

    private Identifier identifier(Node node, String what) throws VeilException {
        String s = text(node, what).strip();
        if (!IDENT.matcher(s).matches()) {
            throw error(node, "bad " + what + " '" + s + "'; expected a SQL identifier (letters, digits, '_', or a \"quoted name\")");
        }
        return Identifier.parse(s);
    }

    private static final Pattern PLAIN_TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}(\\.[A-Za-z_][A-Za-z0-9_]{0,62})?");

    private String storeTable(Node node) throws VeilException {
        String s = text(node, "store table").strip();
        if (!PLAIN_TABLE.matcher(s).matches()) {
            throw error(node, "bad store table '" + s + "'; expected a plain name, optionally schema-qualified (letters, digits, '_')");
        }
        return s;
    }

    private TableName tableName(Node node) throws VeilException {
        String s = text(node, "table name").strip();
        int dot = TableName.splitPoint(s);
        String schema = dot < 0 ? null : s.substring(0, dot);
        String name = dot < 0 ? s : s.substring(dot + 1);
        if (!IDENT.matcher(name).matches() || schema != null && !IDENT.matcher(schema).matches()) {
            throw error(node, "bad table name '" + s + "'; expected table or schema.table as SQL identifiers");
        }
        return TableName.parse(s);
    }

    private SourceMark mark(Node node) {
        Mark m = node.getStartMark();
        return new SourceMark(source, m == null ? 0 : m.getLine() + 1, m == null ? 0 : m.getColumn() + 1);
    }

    private VeilException error(Node node, String message) {
        return new VeilException(VeilState.POLICY_INVALID, mark(node) + ": " + message);
    }

    private static String sorted(Set<String> s) {
        return s.stream().sorted().collect(Collectors.joining(", "));
    }
}
