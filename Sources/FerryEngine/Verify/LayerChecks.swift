import FerrySpec
import FerryStreams

/// Full checks of one layer: decompress by its magic bytes, hash the tar for its DiffID, and walk
/// its members with ``TarStreamScanner``.
///
/// Member rules: a name whose `..` components climb out of the root and a hard link to a member
/// not seen earlier are errors; an absolute name and a device node are warnings; a missing
/// end-of-archive marker is a warning. At most ``memberProblemLimit`` member problems are listed
/// per layer.
enum LayerChecks {
    /// The most member problems listed for one layer; a hostile layer cannot flood the report.
    static let memberProblemLimit = 50

    /// Checks a layer read through `raw`; returns its DiffID when the tar could be hashed whole.
    ///
    /// Problems of the blob's own bytes (digest, size) are left to the caller, who sees them in
    /// `raw.failure`; problems found here are dropped when `raw` failed, since the content is untrusted.
    static func check(
        _ raw: RecordingStream, mediaType: MediaType, context: String, at location: VerificationProblem.Location, problems: inout ProblemList
    ) async -> Digest? {
        var found = ProblemList()
        var diffID: Digest?
        do {
            let (format, sniffed) = try await CompressionSniffer.sniff(raw)
            if let declared = mediaType.layerCompression, format.layerCompression != declared {
                found.error(
                    .layerCompressionMismatch,
                    "layer compressed differently from its media type: \(mediaType) says \(declared.rawValue), the content is \(format.rawValue)", at: location)
            }
            guard format.layerCompression != nil else {
                await raw.finish()
                if raw.failure == nil { problems.append(contentsOf: found) }
                return nil
            }
            let inflating = RecordingStream(try decompressed(sniffed, format: format, context: context))
            let plain = try VerifyingStream(inflating, computing: .sha256, context: context)
            do {
                try await scanMembers(plain, context: context, at: location, problems: &found)
            } catch  where inflating.failure == nil && raw.failure == nil {
                // The tar walk itself failed; the rest is still hashed for the DiffID.
                found.error(.tarInvalid, (error as? StreamError)?.message ?? "\(error)", at: location)
            }
            _ = try await plain.drain()
            diffID = plain.result?.digest
        } catch {
            await raw.finish()
            if raw.failure == nil {
                found.error(.layerCorrupt, (error as? StreamError)?.message ?? "\(error)", at: location)
            }
        }
        await raw.finish()
        guard raw.failure == nil else { return nil }
        problems.append(contentsOf: found)
        return diffID
    }

    private static func scanMembers(_ tar: any ByteStream, context: String, at location: VerificationProblem.Location, problems: inout ProblemList) async throws
    {
        let scanner = TarStreamScanner(tar, context: context)
        var seen = Set<String>()
        var reported = 0
        func report(_ severity: VerificationProblem.Severity, _ code: VerificationCode, _ message: String, member: String) {
            reported += 1
            guard reported <= memberProblemLimit else { return }
            var here = location
            here.member = member
            if reported == memberProblemLimit {
                problems.warning(code, "\(message) (further member problems in this layer are not listed)", at: here)
            } else if severity == .error {
                problems.error(code, message, at: here)
            } else {
                problems.warning(code, message, at: here)
            }
        }
        while let member = try await scanner.next() {
            let (path, escapes) = resolve(member.name)
            if member.name.hasPrefix("/") {
                report(.warning, .tarMemberAbsolute, "absolute member name", member: member.name)
            }
            if escapes {
                report(.error, .tarMemberEscapes, "member name climbs out of the root with \"..\"", member: member.name)
            }
            if member.isHardLink {
                let target = resolve(member.linkTarget ?? "")
                if target.escapes || !seen.contains(target.path) {
                    report(
                        .error, .tarHardLinkUnknown, "hard link to \(Echo.quoted(member.linkTarget ?? "")), which is not an earlier member of this layer",
                        member: member.name)
                }
            }
            if member.isDevice {
                report(.warning, .tarDeviceNode, "device node", member: member.name)
            }
            if !escapes { seen.insert(path) }
        }
        if scanner.endedWithoutPadding {
            problems.warning(
                .tarEndMarkerMissing, "layer tar ends right after the last member's data (no padding, no end-of-archive marker); its data is complete",
                at: location)
        } else if !scanner.sawEndMarker {
            problems.warning(.tarEndMarkerMissing, "layer tar has no end-of-archive marker (two zero blocks)", at: location)
        }
    }

    /// The member's path relative to the root, and whether `..` climbs above the root.
    static func resolve(_ name: String) -> (path: String, escapes: Bool) {
        var parts: [Substring] = []
        for component in name.split(separator: "/") {
            switch component {
            case ".": continue
            case "..":
                guard !parts.isEmpty else { return (name, true) }
                parts.removeLast()
            default: parts.append(component)
            }
        }
        return (parts.joined(separator: "/"), false)
    }
}
