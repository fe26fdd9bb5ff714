/// Input echoed back in a message: quoted, control characters escaped, cut to a sane length, so
/// that a 5 000-character argument or a binary field yields a readable sentence.
public enum Echo {
    /// `s` in double quotes, escaped and cut to `limit` characters (then `…`).
    public static func quoted(_ s: some StringProtocol, limit: Int = 80) -> String {
        "\"" + Digest.printable(String(s), limit: limit) + "\""
    }
}
