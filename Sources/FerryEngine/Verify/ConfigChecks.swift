import FerrySpec

/// Checks of an image config (OCI or Docker) against the manifest that references it.
///
/// See image-spec `config.md` and formats.md §4.4: `rootfs.type` is `layers`, one DiffID per
/// layer, `count(!empty_layer history) == len(layers)`, and in full mode each DiffID equals the
/// sha256 of that layer's uncompressed content.
enum ConfigChecks {
    /// Checks the config's own fields; returns its DiffIDs (an entry is `nil` where the string is invalid).
    static func check(_ bytes: [UInt8], layerCount: Int, at location: VerificationProblem.Location, problems: inout ProblemList) -> [Digest?]? {
        var documents = DocumentChecks()
        defer {
            // What a copy refuses (ImageConfigReading) is an error here too, when the checks above
            // have not already said why.
            if !documents.problems.hasErrors {
                do {
                    _ = try ImageConfigReading.decode(bytes, layerCount: layerCount, context: "config")
                } catch {
                    documents.problems.error(.documentInvalidField, Verifier.message(error), at: location)
                }
            }
            problems.append(contentsOf: documents.problems)
        }
        guard let object = documents.object(bytes, what: "config", at: location) else { return nil }
        for field in ["architecture", "os"] where object[field]?.string == nil {
            documents.problems.error(.documentMissingField, "config has no \(field) string", at: location)
        }
        guard let rootfs = object["rootfs"]?.object else {
            documents.problems.error(.documentMissingField, "config has no rootfs object", at: location)
            return nil
        }
        if rootfs["type"]?.string != "layers" {
            documents.problems.error(
                .rootfsTypeInvalid, "rootfs.type is \(rootfs["type"]?.string.map { Echo.quoted($0) } ?? "missing"), expected \"layers\"", at: location)
        }
        var diffIDs: [Digest?] = []
        for (i, value) in (rootfs["diff_ids"]?.array ?? []).enumerated() {
            guard let s = value.string, let digest = try? Digest(parsing: s) else {
                documents.problems.error(.descriptorInvalidDigest, "rootfs.diff_ids[\(i)] is not a valid digest", at: location)
                diffIDs.append(nil)
                continue
            }
            diffIDs.append(digest)
        }
        if diffIDs.count != layerCount {
            documents.problems.error(.diffIDCountMismatch, "config has \(diffIDs.count) diff_ids for \(layerCount) layers", at: location)
        }
        if let history = object["history"]?.array {
            let nonEmpty = history.filter { entry in
                if case .bool(true)? = entry.object?["empty_layer"] { return false }
                return true
            }.count
            if nonEmpty != layerCount {
                documents.problems.error(
                    .historyCountMismatch, "config history has \(nonEmpty) entries that are not empty_layer for \(layerCount) layers", at: location)
            }
        }
        return diffIDs
    }

    /// Compares the config's DiffIDs with what the layers decompressed to (full mode).
    static func compare(diffIDs: [Digest?], computed: [Digest?], layers: [Descriptor], at location: VerificationProblem.Location, problems: inout ProblemList) {
        for (i, (declared, actual)) in zip(diffIDs, computed).enumerated() {
            guard let declared, let actual, declared != actual else { continue }
            var here = location
            here.blob = layers[i].digest.description
            problems.error(.diffIDMismatch, "layer \(i) decompresses to \(actual) but the config's diff_ids[\(i)] is \(declared)", at: here)
        }
    }
}
