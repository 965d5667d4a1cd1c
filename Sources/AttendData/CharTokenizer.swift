import Foundation

/// How a data file is read: as UTF-8 text (one token per character) or as raw bytes (one token per
/// byte; `attend train --bytes`).
public enum DataFormat: String, Codable, CaseIterable, Sendable {
    /// UTF-8 text; a file with invalid UTF-8 or a NUL byte is refused (DataError.notText).
    case text
    /// Any file: each byte b is one token, held in the vocabulary as the character U+0100 + b.
    case bytes
}

/// Character-level tokenizer: the vocabulary is the sorted set of characters (extended grapheme
/// clusters, so "\r\n" is one) in the training text, as nanoGPT's shakespeare_char `prepare.py`.
/// A byte-level tokenizer (`bytes`) holds byte b as the character U+0100 + b and decodes to raw bytes.
public struct CharTokenizer: Codable, Equatable, Sendable {
    /// Vocabulary in id order.
    public let characters: [Character]
    /// Whether the vocabulary stands for bytes (U+0100 + b) rather than text characters.
    public let bytes: Bool
    private let index: [Character: Int32]

    enum CodingKeys: String, CodingKey { case characters, bytes }

    /// Builds the vocabulary from `text`.
    public init(text: String) {
        self.init(characters: Array(Set(text)).sorted())
    }

    /// Uses an explicit vocabulary (`bytes`: its characters are byte characters, U+0100 + b).
    public init(characters: [Character], bytes: Bool = false) {
        self.characters = characters
        self.bytes = bytes
        var index: [Character: Int32] = [:]
        for (i, c) in characters.enumerated() { index[c] = Int32(i) }
        self.index = index
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let strings = try c.decode([String].self, forKey: .characters)
        self.init(characters: strings.compactMap(\.first), bytes: try c.decodeIfPresent(Bool.self, forKey: .bytes) ?? false)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(characters.map { String($0) }, forKey: .characters)
        if bytes { try c.encode(true, forKey: .bytes) }
    }

    /// The character that stands for byte `b` in a byte-level vocabulary (U+0100 + b: one grapheme
    /// per byte, unlike Latin-1, where "\r\n" would merge).
    public static func byteCharacter(_ b: UInt8) -> Character { Character(Unicode.Scalar(0x100 + UInt32(b))!) }

    /// `data` as byte characters (one per byte).
    public static func byteText(_ data: Data) -> String {
        var s = String.UnicodeScalarView()
        for b in data { s.append(Unicode.Scalar(0x100 + UInt32(b))!) }
        return String(s)
    }

    /// The output bytes of token ids: UTF-8 text, or the raw bytes of a byte-level vocabulary.
    public func decodedData(_ ids: [Int32]) -> Data {
        guard bytes else { return Data(decode(ids).utf8) }
        return Data(ids.map { id in UInt8(truncatingIfNeeded: characters[Int(id)].unicodeScalars.first!.value - 0x100) })
    }

    /// Number of distinct tokens.
    public var vocabSize: Int { characters.count }

    /// Token ids for `text`; throws when it contains a character outside the vocabulary.
    public func encode(_ text: String) throws -> [Int32] {
        try text.map { ch in
            guard let id = index[ch] else { throw DataError.unknownCharacter(ch) }
            return id
        }
    }

    /// The id of one character, or nil when it is outside the vocabulary.
    public func id(of character: Character) -> Int32? { index[character] }

    /// Text for token ids.
    public func decode(_ ids: [Int32]) -> String {
        String(ids.map { characters[Int($0)] })
    }

    public static func == (a: CharTokenizer, b: CharTokenizer) -> Bool { a.characters == b.characters && a.bytes == b.bytes }
}

/// Problems with user-supplied data; messages say what to do.
public enum DataError: Error, CustomStringConvertible, Equatable {
    /// Thrown when the data file at the given path does not exist or cannot be read.
    case missingFile(String)
    /// Thrown when the data file at the given path (or the text given in its place) is empty.
    case emptyFile(String)
    /// Thrown when the smaller split of the data at `path` has only `tokens` tokens, fewer than the
    /// `needed` (`contextLength + 1`) that one training window takes.
    case tooShort(path: String, tokens: Int, needed: Int)
    /// Thrown when text to encode contains the given character, which is not in the tokenizer's vocabulary.
    case unknownCharacter(Character)
    /// The file is not UTF-8 text: `reason` says what was found at byte `offset`.
    case notText(path: String, offset: Int, reason: String)
    /// A binary data file does not have the layout its reader expects.
    case malformed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .missingFile(p): return "data file \(p) does not exist or cannot be read; pass an existing text file with --data"
        case let .emptyFile(p): return "data file \(p) is empty; pass a text file with some content"
        case let .tooShort(p, n, needed):
            return "\(p) has only \(n) tokens in its smaller split, but a batch needs at least \(needed) (contextLength + 1); use a longer text or a smaller --context-length"
        case let .unknownCharacter(c):
            return "character \(String(reflecting: String(c))) is not in the model's vocabulary; use only characters seen in training"
        case let .malformed(p, reason):
            return "data file \(p) is malformed (\(reason)); restore it from the project (git checkout) or regenerate it"
        case let .notText(p, offset, reason):
            return "data file \(p) is not UTF-8 text (\(reason) at byte \(offset)); convert it to UTF-8 (e.g. iconv -f latin1 -t utf-8), or pass --bytes to train on its bytes (one token per byte)"
        }
    }
}
