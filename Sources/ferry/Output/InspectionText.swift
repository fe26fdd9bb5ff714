import Foundation
import FerryEngine
import FerrySpec

/// The human-readable form of an ``Inspection``.
enum InspectionText {
    static func render(_ inspection: Inspection) -> String {
        var out = ""
        out += "Source:     \(inspection.source)\n"
        if !inspection.names.isEmpty { out += "Names:      \(inspection.names.joined(separator: ", "))\n" }
        out += "Digest:     \(inspection.digest)\n"
        out += "MediaType:  \(inspection.mediaType)\n"
        if let platforms = inspection.platforms { out += "Platforms:  \(platforms.joined(separator: ", "))\n" }
        if let absent = inspection.absent { out += "Not held:   \(absent.joined(separator: ", ")) (named by the index, absent from the source)\n" }
        for image in inspection.images {
            out += "\n"
            if inspection.images.count > 1 || image.digest != inspection.digest {
                out += "Image \(image.digest)\(image.platform.map { " (\($0))" } ?? "")\n"
            }
            if let platform = image.platform { out += "  Platform:   \(platform)\n" }
            out +=
                image.mediaType.isSchema1
                ? "  Config:     none (schema 1: settings from the newest v1Compatibility entry)\n"
                : "  Config:     \(image.configDigest) (\(image.configMediaType))\n"
            if let created = image.created { out += "  Created:    \(created)\n" }
            if let entrypoint = image.entrypoint { out += "  Entrypoint: \(entrypoint.joined(separator: " "))\n" }
            if let cmd = image.cmd { out += "  Cmd:        \(cmd.joined(separator: " "))\n" }
            if let dir = image.workingDir, !dir.isEmpty { out += "  WorkingDir: \(dir)\n" }
            if let user = image.user, !user.isEmpty { out += "  User:       \(user)\n" }
            if let env = image.env, !env.isEmpty { out += "  Env:        \(env.joined(separator: "\n              "))\n" }
            if let labels = image.labels, !labels.isEmpty {
                out += "  Labels:     \(labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n              "))\n"
            }
            out += "  Layers:     \(image.layers.count), \(image.layersSize < 0 ? "sizes not recorded (schema 1)" : formatBytes(image.layersSize))\n"
            for layer in image.layers {
                out +=
                    "    \(layer.digest)  \((layer.size < 0 ? "?" : formatBytes(layer.size)).padding(toLength: 9, withPad: " ", startingAt: 0)) \(layer.mediaType)\n"
            }
        }
        return out
    }
}
