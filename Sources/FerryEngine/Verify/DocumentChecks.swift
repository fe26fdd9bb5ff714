import Foundation
import FerrySpec
import FerryStreams

/// Checks of manifests, indexes and the descriptors inside them, on the parsed JSON so that every
/// problem is reported and every usable descriptor is still returned for walking.
struct DocumentChecks {
    typealias Location = VerificationProblem.Location
    var problems = ProblemList()

    /// Parses a document that must be a JSON object.
    mutating func object(_ bytes: [UInt8], what: String, at location: Location) -> [String: JSONValue]? {
        guard let value = JSONValue.parse(bytes) else {
            problems.error(.documentInvalidJSON, "\(what) is \(JSONNesting.complaint(bytes) ?? "not valid JSON")", at: location)
            return nil
        }
        guard let object = value.object else {
            problems.error(.documentInvalidJSON, "\(what) is \(value.typeName), not a JSON object", at: location)
            return nil
        }
        return object
    }

    /// A descriptor at `field`; `nil` (with problems) when it cannot be used.
    mutating func descriptor(_ value: JSONValue?, field: String, at location: Location) -> Descriptor? {
        guard let value else {
            problems.error(.documentMissingField, "missing required field \(field)", at: location)
            return nil
        }
        guard let object = value.object else {
            problems.error(.descriptorInvalid, "\(field) is \(value.typeName), not a descriptor object", at: location)
            return nil
        }
        var here = location
        var usable = true
        guard let digestString = object["digest"]?.string else {
            problems.error(.documentMissingField, "\(field).digest is missing or not a string", at: location)
            return nil
        }
        here.blob = digestString
        let digest: Digest
        do {
            digest = try Digest(parsing: digestString)
        } catch {
            problems.error(.descriptorInvalidDigest, "\(field): \(error.message)", at: here)
            return nil
        }
        let mediaTypeString = object["mediaType"]?.string
        if mediaTypeString == nil {
            problems.error(.documentMissingField, "\(field).mediaType is missing or not a string", at: here)
            usable = false
        } else if let m = mediaTypeString, !MediaType(m).isWellFormed {
            problems.error(.descriptorInvalid, "\(field).mediaType \(Echo.quoted(m)) is not a type/subtype media type", at: here)
        }
        guard let size = object["size"]?.integer else {
            problems.error(.documentMissingField, "\(field).size is missing or not an integer", at: here)
            return nil
        }
        if size < 0 {
            problems.error(.descriptorInvalid, "\(field).size is negative (\(size))", at: here)
            usable = false
        }
        if let urls = object["urls"], !(urls.array?.allSatisfy { $0.string != nil } ?? false) {
            problems.error(.descriptorInvalid, "\(field).urls is not an array of strings", at: here)
        }
        let annotations = self.annotations(object["annotations"], field: "\(field).annotations", at: here)
        if let artifactType = object["artifactType"] { checkArtifactType(artifactType, field: "\(field).artifactType", at: here) }
        let platform = object["platform"].flatMap { self.platform($0, field: "\(field).platform", at: here) }
        var data: String?
        if let dataValue = object["data"] {
            data = dataValue.string
            checkEmbeddedData(dataValue, digest: digest, size: size, field: field, at: here)
        }
        guard usable, let mediaTypeString else { return nil }
        return Descriptor(
            mediaType: MediaType(mediaTypeString), digest: digest, size: size, annotations: annotations,
            data: data, artifactType: object["artifactType"]?.string, platform: platform)
    }

    /// `annotations`, which must be a map of strings.
    mutating func annotations(_ value: JSONValue?, field: String, at location: Location) -> [String: String]? {
        guard let value, !value.isNull else { return nil }
        guard let object = value.object else {
            problems.error(.annotationsInvalid, "\(field) is \(value.typeName), not a map of strings", at: location)
            return nil
        }
        var result: [String: String] = [:]
        for (key, v) in object.sorted(by: { $0.key < $1.key }) {
            guard let s = v.string else {
                problems.error(.annotationsInvalid, "\(field)[\(Echo.quoted(key))] is \(v.typeName), not a string", at: location)
                continue
            }
            result[key] = s
        }
        return result
    }

    /// A `platform` object: `os` and `architecture` non-empty strings, optional fields typed.
    mutating func platform(_ value: JSONValue, field: String, at location: Location) -> Platform? {
        guard let object = value.object else {
            problems.error(.platformInvalid, "\(field) is \(value.typeName), not an object", at: location)
            return nil
        }
        let os = object["os"]?.string ?? ""
        let architecture = object["architecture"]?.string ?? ""
        if os.isEmpty || architecture.isEmpty {
            problems.error(.platformInvalid, "\(field) needs non-empty os and architecture strings", at: location)
        }
        for key in ["variant", "os.version"] where object[key] != nil && object[key]?.string == nil {
            problems.error(.platformInvalid, "\(field).\(key) is not a string", at: location)
        }
        for key in ["os.features", "features"] where object[key] != nil && !(object[key]?.array?.allSatisfy { $0.string != nil } ?? false) {
            problems.error(.platformInvalid, "\(field).\(key) is not an array of strings", at: location)
        }
        guard !os.isEmpty, !architecture.isEmpty else { return nil }
        return Platform(os: os, architecture: architecture, variant: object["variant"]?.string)
    }

    mutating func checkArtifactType(_ value: JSONValue, field: String, at location: Location) {
        guard let s = value.string, MediaType(s).isWellFormed else {
            problems.error(.artifactFieldInvalid, "\(field) is not a type/subtype media type", at: location)
            return
        }
    }

    /// `schemaVersion` must be 2 and a declared `mediaType` must match the descriptor's.
    mutating func header(_ object: [String: JSONValue], descriptor: Descriptor, what: String, at location: Location) {
        switch object["schemaVersion"] {
        case nil: problems.error(.documentMissingField, "\(what) has no schemaVersion", at: location)
        case .integer(2)?: break
        case let v?: problems.error(.schemaVersionInvalid, "\(what) has schemaVersion \(v.integer.map(String.init) ?? v.typeName), expected 2", at: location)
        }
        if let declared = object["mediaType"] {
            if let s = declared.string {
                // The descriptor wins, as copy, containers/image and go-containerregistry read
                // it (image-spec lets a strict reader warn): a warning, an error under --strict.
                if MediaType(s).essence != descriptor.mediaType.essence {
                    problems.warning(
                        .mediaTypeFieldDiffers, "\(what) says mediaType \(s) but its descriptor says \(descriptor.mediaType); read as the descriptor says",
                        at: location)
                }
            } else if !declared.isNull {
                problems.error(.documentInvalidField, "\(what): mediaType is \(declared.typeName), not a string", at: location)
            }
        } else if descriptor.mediaType.isDocker {
            problems.warning(.documentMissingField, "\(what) has no mediaType field (Docker documents carry one)", at: location)
        }
        _ = annotations(object["annotations"], field: "annotations", at: location)
        if let artifactType = object["artifactType"] { checkArtifactType(artifactType, field: "artifactType", at: location) }
        if let subject = object["subject"], let s = self.descriptor(subject, field: "subject", at: location), !s.mediaType.isManifestOrIndex {
            problems.error(.artifactFieldInvalid, "subject has media type \(s.mediaType), not a manifest or index type", at: location)
        }
    }

    /// `data` must be base64 of exactly the described content.
    private mutating func checkEmbeddedData(_ value: JSONValue, digest: Digest, size: Int64, field: String, at location: Location) {
        guard let s = value.string, let bytes = Data(base64Encoded: s) else {
            problems.error(.descriptorInvalid, "\(field).data is not base64", at: location)
            return
        }
        let digestMatches = digest.knownAlgorithm.map { (try? DigestHasher.digest([UInt8](bytes), algorithm: $0)) == digest } ?? true
        guard Int64(bytes.count) == size, digestMatches else {
            problems.error(.descriptorInvalid, "\(field).data does not match the descriptor's digest and size", at: location)
            return
        }
    }
}
