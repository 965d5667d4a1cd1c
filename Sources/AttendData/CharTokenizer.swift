/// Character-level tokenizer: the vocabulary is the sorted set of characters (Unicode scalars) in
/// the training text, as nanoGPT's shakespeare_char `prepare.py`.
public struct CharTokenizer: Codable, Equatable, Sendable {
    /// Vocabulary in id order.
    public let characters: [Character]
    private let index: [Character: Int32]

    enum CodingKeys: String, CodingKey { case characters }

    /// Builds the vocabulary from `text`.
    public init(text: String) {
        self.init(characters: Array(Set(text)).sorted())
    }

    /// Uses an explicit vocabulary.
    public init(characters: [Character]) {
        self.characters = characters
        var index: [Character: Int32] = [:]
        for (i, c) in characters.enumerated() { index[c] = Int32(i) }
        self.index = index
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let strings = try c.decode([String].self, forKey: .characters)
        self.init(characters: strings.compactMap(\.first))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(characters.map { String($0) }, forKey: .characters)
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

    public static func == (a: CharTokenizer, b: CharTokenizer) -> Bool { a.characters == b.characters }
}

/// Problems with user-supplied data; messages say what to do.
public enum DataError: Error, CustomStringConvertible, Equatable {
    case missingFile(String)
    case emptyFile(String)
    case tooShort(path: String, tokens: Int, needed: Int)
    case unknownCharacter(Character)

    public var description: String {
        switch self {
        case let .missingFile(p): return "data file \(p) does not exist or cannot be read; pass an existing text file with --data"
        case let .emptyFile(p): return "data file \(p) is empty; pass a text file with some content"
        case let .tooShort(p, n, needed):
            return "\(p) has only \(n) tokens in its smaller split, but a batch needs at least \(needed) (contextLength + 1); use a longer text or a smaller --context-length"
        case let .unknownCharacter(c):
            return "character \(String(reflecting: String(c))) is not in the model's vocabulary; use only characters seen in training"
        }
    }
}
