import FerryEngine

/// The human-readable form of a ``VerificationReport``: a line per image, a line per problem
/// saying where it is, and a summary line.
enum VerificationText {
    static func render(_ report: VerificationReport) -> String {
        var out = "\(report.source): \(report.status.rawValue) (\(report.mode.rawValue) check)\n"
        for image in report.images {
            out += "  image \(image.name)  \(image.digest)  \(image.mediaType)\n"
        }
        for problem in report.problems {
            out += "  \(problem.severity.rawValue) [\(problem.code)] \(where_(problem.location))\(problem.message)\n"
        }
        out +=
            "  \(report.blobsChecked) blobs, \(formatBytes(report.bytesChecked)) checked; \(report.errors) error\(report.errors == 1 ? "" : "s"), \(report.warnings) warning\(report.warnings == 1 ? "" : "s")\(report.notes > 0 ? ", \(report.notes) note\(report.notes == 1 ? "" : "s")" : "")\n"
        return out
    }

    private static func where_(_ location: VerificationProblem.Location) -> String {
        var parts: [String] = []
        if let image = location.image { parts.append("image \(image)") }
        if let blob = location.blob { parts.append("blob \(blob)") }
        if let file = location.file { parts.append("file \(file)") }
        if let member = location.member { parts.append("member \(member.debugDescription)") }
        return parts.isEmpty ? "" : parts.joined(separator: ", ") + ": "
    }
}
