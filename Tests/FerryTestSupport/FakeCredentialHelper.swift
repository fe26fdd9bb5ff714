import Foundation

/// A docker credential helper for tests: an executable shell script `docker-credential-NAME` in
/// a directory of its own (put it first on `PATH`), which keeps one JSON file per server in
/// ``storeDirectory`` and logs each call's action and server (never the secret) to ``log``.
/// It speaks the helper protocol (`store` reads `{"ServerURL","Username","Secret"}`, `get` and
/// `erase` read the server; "credentials not found" with exit 1 when it holds nothing), so
/// Ferry runs it as it runs docker-credential-pass or -secretservice. Needs python3 for the JSON.
public struct FakeCredentialHelper: Sendable {
    /// The helper's NAME (the program is `docker-credential-NAME`).
    public let name: String
    /// The directory holding the program: put it on `PATH`.
    public let binDirectory: String
    /// One file per stored server.
    public let storeDirectory: String
    /// `ACTION SERVER` lines, one per call.
    public let log: String

    /// Writes the helper into `directory` (created).
    public init(name: String, in directory: String) throws {
        self.name = name
        binDirectory = directory + "/bin"
        storeDirectory = directory + "/store"
        log = directory + "/calls.log"
        for path in [binDirectory, storeDirectory] { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        try Data().write(to: URL(fileURLWithPath: log))
        let script = """
            #!/bin/sh
            input=$(cat)
            case "$1" in
            store) server=$(printf '%s' "$input" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ServerURL"])') || exit 3 ;;
            get|erase) server=$input ;;
            *) echo "unknown action $1"; exit 2 ;;
            esac
            echo "$1 $server" >> '\(log)'
            file='\(storeDirectory)'/$(printf '%s' "$server" | tr '/:' '__')
            case "$1" in
            store) printf '%s' "$input" > "$file" ;;
            get) if [ -f "$file" ]; then cat "$file"; else echo "credentials not found in native keychain"; exit 1; fi ;;
            erase) if [ -f "$file" ]; then rm "$file"; else echo "credentials not found in native keychain"; exit 1; fi ;;
            esac

            """
        let program = binDirectory + "/docker-credential-" + name
        try script.write(toFile: program, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: program)
    }

    /// What the helper holds for `server`: the JSON it was given by `store`, decoded.
    public func entry(for server: String) -> (username: String, secret: String)? {
        let file = storeDirectory + "/" + server.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: ":", with: "_")
        guard let data = FileManager.default.contents(atPath: file),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: String],
            let user = object["Username"], let secret = object["Secret"], object["ServerURL"] == server
        else { return nil }
        return (user, secret)
    }

    /// The calls made so far, as `ACTION SERVER` lines.
    public func calls() -> [String] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// `PATH` with ``binDirectory`` first.
    public func path(before existing: String?) -> String {
        binDirectory + ":" + (existing ?? "/usr/local/bin:/usr/bin:/bin")
    }
}
