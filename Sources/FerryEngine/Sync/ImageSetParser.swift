import FerryRegistry
import FerrySpec
import Foundation
import Yams

/// Reads an image-set file (``ImageSet``): skopeo sync's YAML with Ferry's additions, or a plain
/// list of references, one per line (`#` starts a comment).
///
/// Every error names the file, line and column; an unknown key is an error, never ignored (a
/// misspelt `images-by-semvar` would otherwise sync nothing without a word).
public enum ImageSetParser {
    /// The keys a group may have.
    static let groupKeys: Set<String> = [
        "images", "images-by-tag-regex", "images-by-semver", "credentials", "tls-verify", "cert-dir",
        "platforms", "referrers", "newest", "exclude",
    ]

    /// Parses `text`; `file` names it in messages.
    /// - Throws: ``EngineError`` (`invalidImageSet`) as `FILE:LINE:COLUMN: what is wrong`.
    public static func parse(_ text: String, file: String) throws -> ImageSet {
        if looksLikeList(text) { return try parseList(text, file: file) }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw EngineError(.invalidImageSet, "\(file):\(String(describing: error).split(separator: "\n").first ?? "")")
        }
        guard let node else { throw EngineError(.invalidImageSet, "\(file): the file is empty") }
        guard let top = node.mapping else {
            throw failure(file, node, "the top level must map registries (or local sources) to what to take from them, as skopeo sync's YAML does")
        }
        var groups: [ImageSet.Group] = []
        for (key, value) in top {
            groups.append(try parseGroup(key: key, value: value, file: file))
        }
        return ImageSet(groups: groups)
    }

    /// Whether `text` is a plain list: every line that is not blank or a comment is one word and
    /// does not end with `:` (which starts a YAML mapping).
    static func looksLikeList(_ text: String) -> Bool {
        let lines = text.split(separator: "\n")
            .map { ($0.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "").trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard !lines.isEmpty else { return false }
        return lines.allSatisfy { !$0.hasSuffix(":") && !$0.contains(" ") && !$0.hasPrefix("-") && !$0.contains("\t") }
    }

    /// A list of references: `docker://HOST/REPO:TAG`, `HOST/REPO[:TAG|@DIGEST]` (normalised as
    /// `docker pull` does), or a local source (`oci:PATH[:NAME]`, `oci-archive:…`, `docker-archive:…`).
    static func parseList(_ text: String, file: String) throws -> ImageSet {
        var groups: [ImageSet.Group] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard !line.isEmpty else { continue }
            let at = "\(file):\(number + 1):1"
            if let local = localOrigin(line) {
                var group = ImageSet.Group(origin: .local(local))
                group.line = number + 1
                groups.append(group)
                continue
            }
            let text = line.hasPrefix("docker://") ? String(line.dropFirst("docker://".count)) : line
            let reference: Reference
            do {
                reference = try Reference(parsing: text)
            } catch {
                throw EngineError(.invalidImageSet, "\(at): \(error.message)")
            }
            // No tag and no digest: every tag, as skopeo sync reads a repository given alone.
            let selected = reference.digest.map { [$0.description] } ?? (Self.namesTag(text) ? reference.tag.map { [$0] } ?? [] : [])
            let selection = ImageSet.RepositorySelection(repository: reference.repository, selection: .references(selected), line: number + 1)
            if let index = groups.lastIndex(where: { $0.origin == .registry(reference.domain) }) {
                groups[index].repositories.append(selection)
            } else {
                var group = ImageSet.Group(origin: .registry(reference.domain))
                group.line = number + 1
                group.repositories = [selection]
                groups.append(group)
            }
        }
        return ImageSet(groups: groups)
    }

    /// Whether a reference's text names a tag (a `:` after its last `/`).
    static func namesTag(_ text: String) -> Bool {
        let last = text.split(separator: "/").last ?? Substring(text)
        return last.contains(":")
    }

    /// The transport string when `key` names a local source (`oci:`, `oci-archive:`,
    /// `docker-archive:`, `dir:`), else `nil`.
    static func localOrigin(_ key: String) -> String? {
        for prefix in ["oci:", "oci-archive:", "docker-archive:", "dir:"] where key.hasPrefix(prefix) { return key }
        return nil
    }

    private static func parseGroup(key: Node, value: Node, file: String) throws -> ImageSet.Group {
        guard let name = key.scalar?.string, !name.isEmpty else { throw failure(file, key, "a registry or local source must be a string") }
        var group = ImageSet.Group(origin: localOrigin(name).map { .local($0) } ?? .registry(name))
        group.line = key.mark?.line ?? 0
        guard let settings = value.mapping else {
            throw failure(file, value, "\"\(name)\" must map keys (\(groupKeys.sorted().joined(separator: ", "))) to values")
        }
        for (settingKey, setting) in settings {
            guard let keyName = settingKey.scalar?.string else { throw failure(file, settingKey, "keys must be strings") }
            switch keyName {
            case "images":
                group.repositories += try parseImages(setting, local: group.origin.isLocal, file: file)
            case "images-by-tag-regex", "images-by-semver":
                guard !group.origin.isLocal else {
                    throw failure(file, settingKey, "\(keyName) selects registry tags; a local source takes `images` (a list of names)")
                }
                guard let mapping = setting.mapping else { throw failure(file, setting, "\(keyName) must map repositories to one expression each") }
                for (repository, expression) in mapping {
                    let repositoryName = try string(repository, file: file, what: "a repository")
                    let text = try string(expression, file: file, what: "the expression of \(repositoryName)")
                    let selection: ImageSet.Selection
                    if keyName == "images-by-semver" {
                        do { selection = .semver(try SemverConstraint(parsing: text)) } catch { throw failure(file, expression, error.message) }
                    } else {
                        guard (try? NSRegularExpression(pattern: text)) != nil else {
                            throw failure(file, expression, "\"\(text)\" is not a regular expression")
                        }
                        selection = .tagRegex(text)
                    }
                    group.repositories.append(.init(repository: repositoryName, selection: selection, line: repository.mark?.line ?? 0))
                }
            case "credentials":
                guard let mapping = setting.mapping else { throw failure(file, setting, "credentials must have username and password") }
                var user: String?
                var password: String?
                for (field, fieldValue) in mapping {
                    switch field.scalar?.string {
                    case "username": user = try string(fieldValue, file: file, what: "username")
                    case "password": password = try string(fieldValue, file: file, what: "password")
                    default: throw failure(file, field, "unknown key \"\(field.scalar?.string ?? "?")\" in credentials (username, password)")
                    }
                }
                guard let user, let password else { throw failure(file, setting, "credentials need both username and password") }
                group.credentials = Credentials(username: user, password: password)
            case "tls-verify":
                guard let flag = setting.bool else { throw failure(file, setting, "tls-verify must be true or false") }
                group.tlsVerify = flag
            case "cert-dir":
                group.certificateDirectory = try string(setting, file: file, what: "cert-dir")
            case "platforms":
                for item in try stringList(setting, file: file, what: "platforms") {
                    do { group.platforms.append(try Platform(parsing: item.text)) } catch { throw failure(file, item.node, error.message) }
                }
            case "referrers":
                guard let flag = setting.bool else { throw failure(file, setting, "referrers must be true or false") }
                group.referrers = flag
            case "newest":
                guard let count = setting.int, count > 0 else { throw failure(file, setting, "newest must be a positive number of tags") }
                group.newest = count
            case "exclude":
                for item in try stringList(setting, file: file, what: "exclude") {
                    guard (try? NSRegularExpression(pattern: item.text)) != nil else {
                        throw failure(file, item.node, "\"\(item.text)\" is not a regular expression")
                    }
                    group.exclude.append(item.text)
                }
            default:
                throw failure(file, settingKey, "unknown key \"\(keyName)\" (known: \(groupKeys.sorted().joined(separator: ", ")))")
            }
        }
        return group
    }

    /// `images`: for a registry, repository → list of tags or digests (empty or null: every tag);
    /// for a local source, a list of image names.
    private static func parseImages(_ node: Node, local: Bool, file: String) throws -> [ImageSet.RepositorySelection] {
        if local {
            return try stringList(node, file: file, what: "images").map {
                .init(repository: $0.text, selection: .references([]), line: $0.node.mark?.line ?? 0)
            }
        }
        guard let mapping = node.mapping else { throw failure(file, node, "images must map repositories to lists of tags or digests") }
        var out: [ImageSet.RepositorySelection] = []
        for (repository, tags) in mapping {
            let name = try string(repository, file: file, what: "a repository")
            let references: [String]
            if let scalar = tags.scalar, ["", "~", "null", "Null", "NULL"].contains(scalar.string) {
                references = []
            } else {
                references = try stringList(tags, file: file, what: "the tags of \(name)").map(\.text)
            }
            for reference in references where !reference.contains(":") && !Reference.isValidTag(reference) {
                throw failure(file, tags, "\"\(reference)\" is neither a tag nor a digest")
            }
            out.append(.init(repository: name, selection: .references(references), line: repository.mark?.line ?? 0))
        }
        return out
    }

    private static func string(_ node: Node, file: String, what: String) throws -> String {
        guard let text = node.scalar?.string else { throw failure(file, node, "\(what) must be a string") }
        return text
    }

    /// A sequence of strings, or one string standing for a list of one.
    private static func stringList(_ node: Node, file: String, what: String) throws -> [(text: String, node: Node)] {
        if let scalar = node.scalar { return [(scalar.string, node)] }
        guard let sequence = node.sequence else { throw failure(file, node, "\(what) must be a list") }
        return try sequence.map { (try string($0, file: file, what: "an entry of \(what)"), $0) }
    }

    private static func failure(_ file: String, _ node: Node, _ message: String) -> EngineError {
        let mark = node.mark.map { "\($0.line):\($0.column)" } ?? "?"
        return EngineError(.invalidImageSet, "\(file):\(mark): \(message)")
    }
}

extension ImageSet.Origin {
    /// Whether this is a local source.
    public var isLocal: Bool {
        if case .local = self { return true }
        return false
    }
}
