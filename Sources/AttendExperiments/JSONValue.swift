import Foundation

/// Any JSON value, kept as written: the model and training objects of a study spec and the patches
/// its variants apply to them. Integers stay integers so that a patched object decodes into `Int` fields.
public enum JSONValue: Codable, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// JSON `null`.
    case null
    /// A JSON `true` or `false`.
    case bool(Bool)
    /// A JSON number that decodes as an integer; kept apart from `double` so it can fill `Int` fields.
    case int(Int)
    /// A JSON number that is not an integer (or does not fit in `Int`).
    case double(Double)
    /// A JSON string.
    case string(String)
    /// A JSON array, its elements in order.
    case array([JSONValue])
    /// A JSON object, keyed by member name.
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let v = try? c.decode(Bool.self) { self = .bool(v) }
        else if let v = try? c.decode(Int.self) { self = .int(v) }
        else if let v = try? c.decode(Double.self) { self = .double(v) }
        else if let v = try? c.decode(String.self) { self = .string(v) }
        else if let v = try? c.decode([JSONValue].self) { self = .array(v) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case let .bool(v): try c.encode(v)
        case let .int(v): try c.encode(v)
        case let .double(v): try c.encode(v)
        case let .string(v): try c.encode(v)
        case let .array(v): try c.encode(v)
        case let .object(v): try c.encode(v)
        }
    }

    /// The value of any Encodable (through its JSON form).
    public init<T: Encodable>(encoding value: T) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: try JSONEncoder().encode(value))
    }

    /// Decodes this value as `T` (through its JSON form).
    public func decode<T: Decodable>(as type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: try JSONEncoder().encode(self))
    }

    /// Compact, key-sorted JSON text (run parameters, fingerprints).
    public var description: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).flatMap { String(data: $0, encoding: .utf8) } ?? "?"
    }

    /// Object members (empty for any other value).
    public var members: [String: JSONValue] {
        if case let .object(m) = self { return m }
        return [:]
    }

    /// Array elements (empty for any other value).
    public var elements: [JSONValue] {
        if case let .array(a) = self { return a }
        return []
    }

    /// JSON merge patch (RFC 7386): objects merge key by key, anything else replaces.
    public func merged(with patch: JSONValue) -> JSONValue {
        guard case let .object(p) = patch else { return patch }
        var out = members
        for (k, v) in p { out[k] = out[k].map { $0.merged(with: v) } ?? v }
        return .object(out)
    }

    /// The value with `path` (dot-separated object keys) set to `value`.
    public func setting(_ path: [String], to value: JSONValue) -> JSONValue {
        guard let first = path.first else { return value }
        var out = members
        out[first] = (out[first] ?? .object([:])).setting(Array(path.dropFirst()), to: value)
        return .object(out)
    }

    /// The value at `path`, if any.
    public func value(at path: [String]) -> JSONValue? {
        guard let first = path.first else { return self }
        return members[first]?.value(at: Array(path.dropFirst()))
    }

    /// The value as a run-parameter string: strings bare, everything else as JSON.
    public var parameterText: String {
        if case let .string(s) = self { return s }
        return description
    }
}
