import Foundation

/// A mistake in a study spec file: which file, which field (a path such as `runs[2].kinds[0]`) and what is allowed.
public struct SpecError: Error, CustomStringConvertible, Equatable {
    /// Path of the spec file.
    public var file: String
    /// Field path inside it, e.g. `experiments[2].kinds[0]`.
    public var field: String
    /// What is wrong and what is allowed.
    public var message: String

    /// An error about `field` of `file`.
    public init(file: String, field: String, message: String) {
        self.file = file
        self.field = field
        self.message = message
    }

    public var description: String { "\(file): field '\(field.isEmpty ? "<top level>" : field)': \(message)" }

    /// Converts a `DecodingError` from the strict decoders below into a `SpecError` for `file`.
    static func from(_ error: Error, file: String) -> SpecError {
        func path(_ keys: [CodingKey]) -> String {
            var out = ""
            for key in keys {
                if let i = key.intValue { out += "[\(i)]" } else { out += out.isEmpty ? key.stringValue : ".\(key.stringValue)" }
            }
            return out
        }
        switch error {
        case let e as SpecError: return SpecError(file: file, field: e.field, message: e.message)
        case let DecodingError.keyNotFound(key, context):
            return SpecError(file: file, field: path(context.codingPath + [key]), message: "missing (this field is required)")
        case let DecodingError.typeMismatch(type, context):
            return SpecError(file: file, field: path(context.codingPath), message: "expected \(typeName(type))")
        case let DecodingError.valueNotFound(type, context):
            return SpecError(file: file, field: path(context.codingPath), message: "is null; expected \(typeName(type))")
        case let DecodingError.dataCorrupted(context):
            if context.codingPath.isEmpty, let underlying = context.underlyingError {
                return SpecError(file: file, field: "", message: "not valid JSON (\(underlying.localizedDescription))")
            }
            return SpecError(file: file, field: path(context.codingPath), message: context.debugDescription)
        default:
            return SpecError(file: file, field: "", message: "\(error)")
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is UInt64.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") { return "a list" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "an object (\(name))"
        }
    }
}

/// A coding key for any string, used to list and reject unknown keys.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ s: String) { stringValue = s }
    /// A list index (written `[i]` in field paths).
    init(index: Int) { stringValue = "\(index)"; intValue = index }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { self.init(index: intValue) }
}

/// A keyed container that rejects keys outside `allowed` and decodes with field-naming errors.
struct StrictContainer {
    let container: KeyedDecodingContainer<AnyKey>
    let allowed: [String]

    init(_ decoder: Decoder, allowed: [String]) throws {
        container = try decoder.container(keyedBy: AnyKey.self)
        self.allowed = allowed
        for key in container.allKeys where !allowed.contains(key.stringValue) {
            throw DecodingError.dataCorrupted(.init(codingPath: container.codingPath + [key],
                debugDescription: "unknown key; allowed keys here: \(allowed.joined(separator: ", "))"))
        }
    }

    var codingPath: [CodingKey] { container.codingPath }

    func has(_ key: String) -> Bool { container.contains(AnyKey(key)) }

    func callAsFunction<T: Decodable>(_ key: String, as type: T.Type = T.self) throws -> T {
        try container.decode(T.self, forKey: AnyKey(key))
    }

    func optional<T: Decodable>(_ key: String, as type: T.Type = T.self) throws -> T? {
        try container.decodeIfPresent(T.self, forKey: AnyKey(key))
    }

    /// A string field that must be one of `choices`.
    func choice(_ key: String, from choices: [String]) throws -> String {
        let value = try container.decode(String.self, forKey: AnyKey(key))
        guard choices.contains(value) else { throw invalid(key, "'\(value)' is not allowed; choose from \(choices.joined(separator: ", "))") }
        return value
    }

    /// A positive integer field.
    func positive(_ key: String) throws -> Int {
        let v = try container.decode(Int.self, forKey: AnyKey(key))
        guard v > 0 else { throw invalid(key, "must be a positive integer, got \(v)") }
        return v
    }

    /// A non-empty list of positive integers.
    func positiveList(_ key: String) throws -> [Int] {
        let v = try container.decode([Int].self, forKey: AnyKey(key))
        guard !v.isEmpty, v.allSatisfy({ $0 > 0 }) else { throw invalid(key, "must be a non-empty list of positive integers, got \(v)") }
        return v
    }

    func invalid(_ key: String, _ message: String) -> DecodingError {
        DecodingError.dataCorrupted(.init(codingPath: container.codingPath + [AnyKey(key)], debugDescription: message))
    }
}
