/// A parser for the part of TOML that containers' `registries.conf` files use: comments, `[table]`
/// and `[[array.of.tables]]` headers, bare, quoted and dotted keys, basic and literal strings,
/// booleans, integers, arrays (over several lines, trailing comma allowed) and inline tables.
/// Floats, dates and multi-line strings are refused by name. Every error names `file:line`.
public struct TOMLSubset {
    /// The path of a table from the root: each step a key, and for an array of tables the element.
    private struct Step { var key: String; var element: Int? }

    private let scalars: [Unicode.Scalar]
    private let file: String
    private var position = 0
    private var line = 1
    private var root = TOMLTable()
    private var current: [Step] = []
    private var definedHeaders: Set<String> = []

    /// Parses `text`, read from `file` (named in errors).
    /// - Throws: ``SpecError`` (`invalidDocument`) naming `file:line` and what was wrong.
    public static func parse(_ text: String, file: String) throws(SpecError) -> TOMLTable {
        var parser = TOMLSubset(scalars: Array(text.unicodeScalars), file: file)
        try parser.document()
        return parser.root
    }

    private init(scalars: [Unicode.Scalar], file: String) {
        self.scalars = scalars
        self.file = file
    }

    // MARK: Document

    private mutating func document() throws(SpecError) {
        while true {
            skipBlank(newlines: true)
            guard let c = peek() else { return }
            if c == "[" {
                try header()
            } else {
                let keyLine = line
                let key = try dottedKey()
                skipBlank(newlines: false)
                guard peek() == "=" else { throw failure("expected = after the key \(Self.render(key))") }
                position += 1
                skipBlank(newlines: false)
                let value = try value()
                try assign(key, value, line: keyLine, in: current)
            }
            try endOfLine()
        }
    }

    private mutating func header() throws(SpecError) {
        position += 1
        let isArray = peek() == "["
        if isArray { position += 1 }
        skipBlank(newlines: false)
        let headerLine = line
        let key = try dottedKey()
        skipBlank(newlines: false)
        guard peek() == "]" else { throw failure("expected ] to close the table header") }
        position += 1
        if isArray {
            guard peek() == "]" else { throw failure("expected ]] to close the array-of-tables header") }
            position += 1
        }
        let file = self.file
        let parentPath = try tablePath(Array(key.dropLast()), line: headerLine)
        let last = key[key.count - 1]
        if isArray {
            var index = 0
            try modify(parentPath) { (table: inout TOMLTable) throws(SpecError) in
                var elements: [TOMLValue] = []
                switch table[last] {
                case nil: break
                case .array(let existing)? where existing.allSatisfy({ $0.table != nil }): elements = existing
                case let other?: throw Self.failure(file, headerLine, "\(Self.render(key)) already holds a value (\(other.typeName)), not an array of tables")
                }
                elements.append(.table(TOMLTable(line: headerLine)))
                index = elements.count - 1
                table.set(last, .array(elements), line: headerLine)
            }
            current = parentPath + [Step(key: last, element: index)]
        } else {
            let rendered = Self.render(parentPath.map(\.key) + [last]) + parentPath.map { $0.element.map { "#\($0)" } ?? "" }.joined()
            guard definedHeaders.insert(rendered).inserted else { throw failure("table [\(Self.render(key))] is defined twice", line: headerLine) }
            current = try tablePath(key, line: headerLine)
        }
    }

    /// The path of the table `key` names from the root, creating tables on the way; an array of
    /// tables on the way means its last element, as TOML says.
    private mutating func tablePath(_ key: [String], line: Int) throws(SpecError) -> [Step] {
        let file = self.file
        var path: [Step] = []
        for part in key {
            var step = Step(key: part, element: nil)
            try modify(path) { (table: inout TOMLTable) throws(SpecError) in
                switch table[part] {
                case nil: table.set(part, .table(TOMLTable(line: line)), line: line)
                case .table?: break
                case .array(let elements)? where !elements.isEmpty && elements.allSatisfy({ $0.table != nil }): step.element = elements.count - 1
                case let other?: throw Self.failure(file, line, "\(Self.render(key)) already holds a value (\(other.typeName)), not a table")
                }
            }
            path.append(step)
        }
        return path
    }

    private mutating func assign(_ key: [String], _ value: TOMLValue, line: Int, in path: [Step]) throws(SpecError) {
        let file = self.file
        var full = path
        if key.count > 1 {
            // A dotted key: the tables before its last part, made inside the current one.
            for part in key.dropLast() {
                let step = Step(key: part, element: nil)
                try modify(full) { (table: inout TOMLTable) throws(SpecError) in
                    switch table[part] {
                    case nil: table.set(part, .table(TOMLTable(line: line)), line: line)
                    case .table?: break
                    case let other?: throw Self.failure(file, line, "\(Self.render(key)): \(part) already holds a value (\(other.typeName)), not a table")
                    }
                }
                full.append(step)
            }
        }
        let last = key[key.count - 1]
        try modify(full) { (table: inout TOMLTable) throws(SpecError) in
            guard table[last] == nil else { throw Self.failure(file, line, "\(Self.render(key)) is set twice (first on line \(table.line(of: last)))") }
            table.set(last, value, line: line)
        }
    }

    /// Runs `body` on the table at `path`, writing it back.
    private mutating func modify(_ path: [Step], _ body: (inout TOMLTable) throws(SpecError) -> Void) throws(SpecError) {
        try Self.modify(&root, path[...], body)
    }

    private static func modify(_ table: inout TOMLTable, _ path: ArraySlice<Step>, _ body: (inout TOMLTable) throws(SpecError) -> Void) throws(SpecError) {
        guard let step = path.first else { return try body(&table) }
        switch table[step.key] {
        case .table(var inner)?:
            try modify(&inner, path.dropFirst(), body)
            table[step.key] = .table(inner)
        case .array(var elements)?:
            guard let index = step.element, case .table(var inner) = elements[index] else { return }
            try modify(&inner, path.dropFirst(), body)
            elements[index] = .table(inner)
            table[step.key] = .array(elements)
        default:
            return
        }
    }

    // MARK: Keys

    private mutating func dottedKey() throws(SpecError) -> [String] {
        var parts = [try simpleKey()]
        while true {
            skipBlank(newlines: false)
            guard peek() == "." else { return parts }
            position += 1
            skipBlank(newlines: false)
            parts.append(try simpleKey())
        }
    }

    private mutating func simpleKey() throws(SpecError) -> String {
        switch peek() {
        case "\""?: return try basicString()
        case "'"?: return try literalString()
        default:
            var key = ""
            while let c = peek(), Self.isBareKeyCharacter(c) {
                key.unicodeScalars.append(c)
                position += 1
            }
            guard !key.isEmpty else { throw failure(peek().map { "expected a key, found \(Self.show($0))" } ?? "expected a key at the end of the file") }
            return key
        }
    }

    private static func isBareKeyCharacter(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_" || c == "-"
    }

    // MARK: Values

    private mutating func value() throws(SpecError) -> TOMLValue {
        guard let c = peek() else { throw failure("expected a value at the end of the file") }
        switch c {
        case "\"":
            if lookingAt("\"\"\"") { throw failure("multi-line strings are not supported in this file") }
            return .string(try basicString())
        case "'":
            if lookingAt("'''") { throw failure("multi-line strings are not supported in this file") }
            return .string(try literalString())
        case "[": return .array(try array())
        case "{": return .table(try inlineTable())
        default:
            var word = ""
            while let c = peek(), Self.isBareKeyCharacter(c) || c == "+" || c == "." || c == ":" {
                word.unicodeScalars.append(c)
                position += 1
            }
            if word == "true" { return .boolean(true) }
            if word == "false" { return .boolean(false) }
            let digits = String(word.filter { $0 != "_" })
            if let number = Int(digits.hasPrefix("+") ? String(digits.dropFirst()) : digits), !word.isEmpty { return .integer(number) }
            if word.isEmpty { throw failure("expected a value, found \(Self.show(c))") }
            throw failure("\(Echo.quoted(word)) is not a value this file may hold (a string in quotes, true, false, an integer, an array or an inline table)")
        }
    }

    private mutating func array() throws(SpecError) -> [TOMLValue] {
        position += 1
        var elements: [TOMLValue] = []
        while true {
            skipBlank(newlines: true)
            guard let c = peek() else { throw failure("the array is not closed with ]") }
            if c == "]" { position += 1; return elements }
            elements.append(try value())
            skipBlank(newlines: true)
            switch peek() {
            case ","?: position += 1
            case "]"?: position += 1; return elements
            case let other?: throw failure("expected , or ] in the array, found \(Self.show(other))")
            case nil: throw failure("the array is not closed with ]")
            }
        }
    }

    private mutating func inlineTable() throws(SpecError) -> TOMLTable {
        position += 1
        var table = TOMLTable(line: line)
        skipBlank(newlines: false)
        if peek() == "}" { position += 1; return table }
        while true {
            skipBlank(newlines: false)
            let keyLine = line
            let key = try dottedKey()
            guard key.count == 1 else { throw failure("dotted keys are not supported inside an inline table") }
            skipBlank(newlines: false)
            guard peek() == "=" else { throw failure("expected = after the key \(Self.render(key))") }
            position += 1
            skipBlank(newlines: false)
            guard table[key[0]] == nil else { throw failure("\(Self.render(key)) is set twice in the inline table") }
            table.set(key[0], try value(), line: keyLine)
            skipBlank(newlines: false)
            switch peek() {
            case ","?: position += 1
            case "}"?: position += 1; return table
            case let other?: throw failure("expected , or } in the inline table, found \(Self.show(other))")
            case nil: throw failure("the inline table is not closed with }")
            }
        }
    }

    private mutating func basicString() throws(SpecError) -> String {
        position += 1
        var text = ""
        while true {
            guard let c = peek(), c != "\n" else { throw failure("the string is not closed with \"") }
            position += 1
            if c == "\"" { return text }
            guard c == "\\" else { text.unicodeScalars.append(c); continue }
            guard let escaped = peek() else { throw failure("the string is not closed with \"") }
            position += 1
            switch escaped {
            case "\"": text += "\""
            case "\\": text += "\\"
            case "/": text += "/"
            case "b": text += "\u{8}"
            case "f": text += "\u{c}"
            case "n": text += "\n"
            case "r": text += "\r"
            case "t": text += "\t"
            case "e": text += "\u{1b}"
            case "u", "U":
                let count = escaped == "u" ? 4 : 8
                guard position + count <= scalars.count else { throw failure("a \\\(escaped) escape needs \(count) hex digits") }
                var hex = ""
                hex.unicodeScalars.append(contentsOf: scalars[position..<position + count])
                guard let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) else {
                    throw failure("\\\(escaped)\(hex) is not a Unicode scalar")
                }
                position += count
                text.unicodeScalars.append(scalar)
            default:
                throw failure("\\\(escaped) is not an escape TOML knows")
            }
        }
    }

    private mutating func literalString() throws(SpecError) -> String {
        position += 1
        var text = ""
        while true {
            guard let c = peek(), c != "\n" else { throw failure("the string is not closed with '") }
            position += 1
            if c == "'" { return text }
            text.unicodeScalars.append(c)
        }
    }

    // MARK: Characters

    private func peek() -> Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

    private func lookingAt(_ text: String) -> Bool {
        let wanted = Array(text.unicodeScalars)
        return position + wanted.count <= scalars.count && Array(scalars[position..<position + wanted.count]) == wanted
    }

    /// Skips spaces, tabs and comments, and line breaks when `newlines`.
    private mutating func skipBlank(newlines: Bool) {
        while let c = peek() {
            if c == " " || c == "\t" || c == "\r" {
                position += 1
            } else if c == "#" {
                while let d = peek(), d != "\n" { position += 1 }
            } else if c == "\n" && newlines {
                position += 1
                line += 1
            } else {
                return
            }
        }
    }

    /// After a key/value pair or header: nothing but a comment before the line ends.
    private mutating func endOfLine() throws(SpecError) {
        skipBlank(newlines: false)
        guard let c = peek() else { return }
        guard c == "\n" else { throw failure("expected the line to end after the value, found \(Self.show(c))") }
        position += 1
        line += 1
    }

    private static func render(_ key: [String]) -> String {
        key.map { $0.unicodeScalars.allSatisfy(Self.isBareKeyCharacter) && !$0.isEmpty ? $0 : "\"\($0)\"" }.joined(separator: ".")
    }

    private static func show(_ c: Unicode.Scalar) -> String {
        c.properties.isWhitespace || c.value < 0x20 ? "U+\(String(c.value, radix: 16, uppercase: true))" : "\"\(Character(c))\""
    }

    private func failure(_ message: String, line: Int? = nil) -> SpecError {
        Self.failure(file, line ?? self.line, message)
    }

    private static func failure(_ file: String, _ line: Int, _ message: String) -> SpecError {
        SpecError(.invalidDocument, "\(file):\(line): \(message)")
    }
}
