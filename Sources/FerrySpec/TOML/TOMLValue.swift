/// A value of the TOML subset Ferry reads (``TOMLSubset``): what containers' `registries.conf`
/// files use.
public enum TOMLValue: Sendable, Equatable {
    case string(String)
    case boolean(Bool)
    case integer(Int)
    case array([TOMLValue])
    case table(TOMLTable)

    /// The string, or `nil` for another type.
    public var string: String? { if case .string(let s) = self { return s } else { return nil } }
    /// The boolean, or `nil` for another type.
    public var boolean: Bool? { if case .boolean(let b) = self { return b } else { return nil } }
    /// The array, or `nil` for another type.
    public var array: [TOMLValue]? { if case .array(let a) = self { return a } else { return nil } }
    /// The table, or `nil` for another type.
    public var table: TOMLTable? { if case .table(let t) = self { return t } else { return nil } }

    /// `string`, `boolean`, `integer`, `array` or `table`, for messages.
    public var typeName: String {
        switch self {
        case .string: "string"
        case .boolean: "boolean"
        case .integer: "integer"
        case .array: "array"
        case .table: "table"
        }
    }
}

/// A TOML table: keys in the order they were written, each with its value and the line it was
/// set on (for messages that name `file:line`).
public struct TOMLTable: Sendable, Equatable {
    /// The keys, in order.
    public private(set) var keys: [String] = []
    private var values: [String: TOMLValue] = [:]
    private var lines: [String: Int] = [:]
    /// The line the table was opened on (its `[header]`), 0 for the root.
    public var line: Int

    /// An empty table opened on `line`.
    public init(line: Int = 0) { self.line = line }

    /// The value of `key`, if set.
    public subscript(key: String) -> TOMLValue? {
        get { values[key] }
        set {
            if values[key] == nil, newValue != nil { keys.append(key) }
            if newValue == nil { keys.removeAll { $0 == key }; lines[key] = nil }
            values[key] = newValue
        }
    }

    /// The line `key` was set on (0 when unknown).
    public func line(of key: String) -> Int { lines[key] ?? line }

    /// Sets `key` on `line`.
    mutating func set(_ key: String, _ value: TOMLValue, line: Int) {
        self[key] = value
        lines[key] = line
    }
}
