package dev.veil.testkit;

/** The shop schema's policy used across tests: randomized, deterministic and domain columns. */
public final class ShopPolicy {
    private ShopPolicy() {
    }

    /** The tables section. */
    public static final String TABLES = """
            tables:
              customers:
                email: { mode: deterministic }
                ssn: { mode: randomized, key: national-id }
                phone: { mode: deterministic, domain: phone }
                birth_date: { mode: randomized, type: date }
              orders:
                note: randomized
                total_secret: { mode: randomized, type: decimal }
              payments:
                card_token: { mode: deterministic, key: payment, type: bytes, storage: binary }
                contact_phone: { mode: deterministic, domain: phone }
            """;

    /** A whole policy for a given keys section. */
    public static String yaml(String keysSection) {
        return "version: 1\n" + keysSection + TABLES;
    }
}
