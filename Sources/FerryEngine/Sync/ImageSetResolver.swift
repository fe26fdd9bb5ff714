import FerryRegistry
import FerrySpec
import FerryTransports
import Foundation

/// Turns an ``ImageSet`` into the images it names (``SyncItem``): every tag list asked for is
/// read from its registry, filtered by regular expression, semantic version, exclusions and the
/// newest-N rule; every local source is opened and its images named.
struct ImageSetResolver: Sendable {
    let set: ImageSet
    /// The clients of the registries the set reads from (registries.conf applied).
    let clients: SyncRegistryEndpoints
    /// Each local source of the set, opened.
    let locals: [String: any ImageSource]

    func resolve() async throws -> [SyncItem] {
        var items: [SyncItem] = []
        var seen = Set<SyncItem>()
        for (index, group) in set.groups.enumerated() {
            let found: [SyncItem]
            switch group.origin {
            case .registry(let host):
                found = try await resolveRegistry(group, host: host, index: index)
            case .local(let place):
                found = try await resolveLocal(group, place: place, index: index)
            }
            for item in found where seen.insert(item).inserted { items.append(item) }
        }
        return items
    }

    private func resolveRegistry(_ group: ImageSet.Group, host: String, index: Int) async throws -> [SyncItem] {
        var items: [SyncItem] = []
        for selection in group.repositories {
            let (client, listed) = try clients.tagLister(host: host, repository: selection.repository)
            var selected: [String]
            switch selection.selection {
            case .references(let references) where !references.isEmpty:
                selected = references
            case .references:
                selected = try await client.tags(listed)
            case .tagRegex(let pattern):
                let expression = try NSRegularExpression(pattern: pattern)
                selected = try await client.tags(listed).filter { Self.finds(expression, in: $0) }
            case .semver(let constraint):
                selected = try await client.tags(listed).filter { tag in
                    SemanticVersion(tag).map(constraint.matches) ?? false
                }
            }
            selected = Self.applyExclusions(selected, group.exclude)
            if let newest = group.newest { selected = Self.newest(newest, of: selected) }
            for reference in selected {
                let text = reference.contains(":") ? "\(host)/\(selection.repository)@\(reference)" : "\(host)/\(selection.repository):\(reference)"
                let parsed: Reference
                do {
                    parsed = try Reference(parsing: text)
                } catch {
                    throw EngineError(.invalidImageSet, "line \(selection.line): \(error.message)")
                }
                items.append(SyncItem(reference: parsed, origin: group.origin, group: index))
            }
        }
        return items
    }

    private func resolveLocal(_ group: ImageSet.Group, place: String, index: Int) async throws -> [SyncItem] {
        guard let source = locals[place] else { throw EngineError(.invalidImageSet, "\(place) was not opened") }
        let wanted = group.repositories.map(\.repository)
        let entries = try await source.entries()
        var items: [SyncItem] = []
        for (position, entry) in entries.enumerated() {
            let names = entry.names + entry.aliases
            if !wanted.isEmpty && !names.contains(where: wanted.contains) { continue }
            let references = Self.references(for: entry, in: place)
            let selector: ImageSelector = entry.names.first.map { .name($0) } ?? entry.aliases.first.map { .name($0) } ?? .index(position)
            for reference in references {
                let tag = reference.tag ?? ""
                if !group.exclude.isEmpty && Self.applyExclusions([tag], group.exclude).isEmpty { continue }
                items.append(SyncItem(reference: reference, origin: group.origin, localSelector: selector, group: index))
            }
        }
        if let missing = wanted.first(where: { name in !entries.contains { ($0.names + $0.aliases).contains(name) } }) {
            throw EngineError(.invalidImageSet, "\(place) has no image named \"\(missing)\"")
        }
        return items
    }

    /// The full references an entry of a local source goes by: each name that is a reference
    /// (`registry.example/app:1.0`, `busybox:latest`), else `localhost/<file name>:<name>`; an
    /// unnamed entry is `localhost/<file name>@<digest>`.
    static func references(for entry: SourceEntry, in place: String) -> [Reference] {
        let base = Self.baseName(place)
        var out: [Reference] = []
        for name in entry.names + entry.aliases {
            if name.contains("/") || name.contains(":"), let reference = try? Reference(parsing: name), reference.tag != nil || reference.digest != nil {
                if !out.contains(reference) { out.append(reference) }
            } else if Reference.isValidTag(name), let reference = try? Reference(parsing: "localhost/\(base):\(name)") {
                if !out.contains(reference) { out.append(reference) }
            }
        }
        if out.isEmpty, let reference = try? Reference(parsing: "localhost/\(base)@\(entry.descriptor.digest)") {
            out.append(reference)
        }
        // A name and the same image's full alias are one image: keep the full reference.
        return out
    }

    /// A repository name made from a path's last component (`/srv/hello.oci` → `hello`).
    static func baseName(_ place: String) -> String {
        let path = place.split(separator: ":", maxSplits: 1).last.map(String.init) ?? place
        var name = (path as NSString).lastPathComponent.lowercased()
        for suffix in [".tar.gz", ".tar.zst", ".tgz", ".tar", ".oci", ".bundle"] where name.hasSuffix(suffix) {
            name.removeLast(suffix.count)
            break
        }
        let cleaned = String(name.map { $0.isLetter || $0.isNumber ? $0 : "-" }).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        return cleaned.isEmpty ? "image" : cleaned
    }

    /// Whether `expression` finds a match anywhere in `text` (Go's `regexp.MatchString`, as skopeo).
    static func finds(_ expression: NSRegularExpression, in text: String) -> Bool {
        expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// `tags` without those any of `patterns` finds.
    static func applyExclusions(_ tags: [String], _ patterns: [String]) -> [String] {
        let expressions = patterns.compactMap { try? NSRegularExpression(pattern: $0) }
        return tags.filter { tag in !expressions.contains { finds($0, in: tag) } }
    }

    /// The `count` newest of `tags`: highest semantic versions first; tags that are no version
    /// rank below every version, later in the registry's listing order counting as newer.
    static func newest(_ count: Int, of tags: [String]) -> [String] {
        let ranked = tags.enumerated().sorted { a, b in
            switch (SemanticVersion(a.element), SemanticVersion(b.element)) {
            case let (x?, y?): return x != y ? x > y : a.offset > b.offset
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return a.offset > b.offset
            }
        }
        let kept = Set(ranked.prefix(count).map(\.offset))
        return tags.enumerated().filter { kept.contains($0.offset) }.map(\.element)
    }
}
