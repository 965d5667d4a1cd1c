import AttendTensor
import Foundation

/// Problems reading or writing a Hugging Face `tokenizer.json`; each names the file (or the token) and says what to do.
public enum TokenizerFileError: Error, CustomStringConvertible, Equatable {
    /// The file could not be read.
    case unreadable(path: String)
    /// The file is not a valid tokenizer.json of a kind Attend reads.
    case invalid(path: String, reason: String)
    /// A valid tokenizer.json whose settings would make Attend's ids differ from the `tokenizers` package's.
    case unsupported(path: String, reason: String)
    /// An Attend tokenizer that tokenizer.json cannot express with the same ids.
    case notRepresentable(reason: String)

    /// One line: the file, what is wrong, what to do.
    public var description: String {
        switch self {
        case let .unreadable(path): return "cannot read tokenizer file \(path); pass an existing tokenizer.json"
        case let .invalid(path, reason):
            return "\(path) is not a valid tokenizer.json (\(reason)); export it again with `attend tokenizer export` or `Tokenizer.save` in Python"
        case let .unsupported(path, reason):
            return "\(path) uses a tokenizer Attend cannot reproduce exactly (\(reason)); Attend reads the character (WordLevel) and byte-level BPE files that `attend tokenizer export` writes"
        case let .notRepresentable(reason):
            return "this tokenizer cannot be written as tokenizer.json with the same ids (\(reason)); keep using the run's own tokenizer"
        }
    }
}

/// Attend's tokenizers as Hugging Face `tokenizers` files (`tokenizer.json`), written and read so that
/// the Python package's `Tokenizer.from_file(path).encode(text).ids` equals Attend's `encode(text)`.
///
/// - Character vocabulary (`CharTokenizer`): model `WordLevel` (vocab character → id; `unk_token` `<unk>`
///   is deliberately absent from the vocabulary, so an unknown character is an error in both), normalizer
///   `NFC` with the vocabulary in NFC (Swift compares `Character`s by canonical equivalence, so "é" and
///   "e\u{301}" are one token in Attend: NFC makes them one string for the `tokenizers` package),
///   pre-tokenizer `Split` on `\X` (one piece per extended grapheme cluster, as Swift's `Character`),
///   decoder `Fuse`. Decoding gives NFC text there, Attend's first-seen spelling here (canonically equal).
/// - Byte-level BPE (`BPETokenizer`): model `BPE` with vocab `<pad>` 0, `<bos>` 1, `<eos>` 2, `<unk>` 3
///   (also `added_tokens`, special), byte b → 4 + b spelt in GPT-2's byte-to-character alphabet, merge k →
///   260 + k, merges in rank order; pre-tokenizer `Sequence[Split(wordPattern, isolated), ByteLevel(use_regex:
///   false, add_prefix_space: false)]`, where `wordPattern` is Attend's GPT-2-style word split (without the
///   contraction rules, marks counted as letters); decoder `ByteLevel`; no normalizer, no post-processor.
///
/// One difference remains by design: the `tokenizers` package matches added tokens in the input, so
/// text containing the literal strings `<pad>`, `<bos>`, `<eos>` or `<unk>` gets the special ids there,
/// while Attend encodes those characters as bytes.
public enum HuggingFaceTokenizer: Equatable, Sendable {
    /// A character vocabulary.
    case characters(CharTokenizer)
    /// A byte-level BPE with Attend's id layout.
    case bytePairs(BPETokenizer)

    /// Attend's BPE word split as an Oniguruma regex: ` ?L+| ?N+| ?[^sLN]+|s+(?!S)|s+` with L = letters and
    /// marks, N = numbers, s = Unicode White_Space (the classes of `BPETokenizer.forEachWord`).
    public static let wordPattern: String = {
        let space = #"\t-\r \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}"#
        return #" ?[\p{L}\p{M}]+| ?\p{N}+| ?[^"# + space + #"\p{L}\p{M}\p{N}]+|["# + space + #"]+(?![^"# + space + #"])|["# + space + "]+"
    }()

    /// The pattern that cuts text into extended grapheme clusters (Swift `Character`s).
    public static let characterPattern = #"\X"#

    /// GPT-2's reversible byte → printable character map (`bytes_to_unicode`).
    public static let byteCharacters: [Character] = {
        let printable = Array(33...126) + Array(161...172) + Array(174...255)
        var map = [Character](repeating: " ", count: 256)
        for b in printable { map[b] = Character(Unicode.Scalar(UInt32(b))!) }
        var next: UInt32 = 256
        for b in 0..<256 where !printable.contains(b) {
            map[b] = Character(Unicode.Scalar(next)!)
            next += 1
        }
        return map
    }()

    /// `bytes` spelt in the byte-level alphabet.
    static func spell(_ bytes: [UInt8]) -> String { String(bytes.map { byteCharacters[Int($0)] }) }

    /// Token ids for `text`, as the tokenizer's own `encode` gives them.
    public func encode(_ text: String) throws -> [Int32] {
        switch self {
        case let .characters(t): return try t.encode(text)
        case let .bytePairs(t): return t.encode(text)
        }
    }

    // MARK: Writing

    /// The tokenizer.json object (keys sorted), UTF-8.
    public func json() throws -> Data {
        var root: [String: Any] = ["version": "1.0", "truncation": NSNull(), "padding": NSNull(), "normalizer": NSNull(),
                                   "post_processor": NSNull()]
        var vocab: [String: Int] = [:]
        switch self {
        case let .characters(t):
            for (i, c) in t.characters.enumerated() {
                let key = String(c).precomposedStringWithCanonicalMapping
                guard vocab[key] == nil else { throw TokenizerFileError.notRepresentable(reason: "character \(String(reflecting: key)) appears twice") }
                vocab[key] = i
            }
            root["added_tokens"] = [Any]()
            root["normalizer"] = ["type": "NFC"]
            root["model"] = ["type": "WordLevel", "vocab": Self.vocabPlaceholder, "unk_token": "<unk>"] as [String: Any]
            root["pre_tokenizer"] = Self.split(Self.characterPattern)
            root["decoder"] = ["type": "Fuse"]
        case let .bytePairs(t):
            func add(_ s: String, _ id: Int) throws {
                if let other = vocab[s] {
                    throw TokenizerFileError.notRepresentable(reason: "token \(id) spells \(String(reflecting: s)) like token \(other); a tokenizer.json vocabulary gives each string one id")
                }
                vocab[s] = id
            }
            for (i, s) in BPETokenizer.specialTokens.enumerated() { try add(s, i) }
            for b in 0..<256 { try add(Self.spell([UInt8(b)]), Int(BPETokenizer.byteOffset) + b) }
            var merges: [[String]] = []
            for (k, m) in t.merges.enumerated() {
                let id = BPETokenizer.baseVocabSize + k
                try add(Self.spell(t.bytes(of: Int32(id))), id)
                merges.append([Self.spell(t.bytes(of: m.left)), Self.spell(t.bytes(of: m.right))])
            }
            root["added_tokens"] = BPETokenizer.specialTokens.enumerated().map { i, s in
                ["id": i, "content": s, "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true] as [String: Any]
            }
            root["model"] = ["type": "BPE", "dropout": NSNull(), "unk_token": NSNull(), "continuing_subword_prefix": NSNull(),
                             "end_of_word_suffix": NSNull(), "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
                             "vocab": Self.vocabPlaceholder, "merges": merges] as [String: Any]
            root["pre_tokenizer"] = ["type": "Sequence", "pretokenizers": [Self.split(Self.wordPattern), Self.byteLevel]] as [String: Any]
            root["decoder"] = Self.byteLevel
        }
        // The vocabulary is written in id order (as the tokenizers package writes it): sorted-key output
        // orders some non-ASCII keys differently from run to run, and one tokenizer should give one file.
        var text = String(decoding: try JSONSerialization.data(withJSONObject: root, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]),
                          as: UTF8.self)
        let entries = try vocab.sorted { $0.value < $1.value }.map { key, id -> String in
            let quoted = String(decoding: try JSONSerialization.data(withJSONObject: key, options: [.fragmentsAllowed, .withoutEscapingSlashes]), as: UTF8.self)
            return "\(quoted): \(id)"
        }
        guard let placeholder = text.range(of: "\"\(Self.vocabPlaceholder)\"", options: .backwards) else { preconditionFailure("vocabulary placeholder missing") }
        text.replaceSubrange(placeholder, with: "{\n" + entries.map { "      " + $0 }.joined(separator: ",\n") + "\n    }")
        return Data(text.utf8)
    }

    /// Stands for the vocabulary object while the rest of the file is serialised (found searching from the
    /// end: only fixed strings follow the model's `vocab` key in sorted order).
    private static let vocabPlaceholder = "attend:vocabulary-placeholder"

    /// Writes tokenizer.json atomically.
    public func write(to url: URL) throws { try AtomicFile.write(try json(), to: url) }

    private static func split(_ pattern: String) -> [String: Any] {
        ["type": "Split", "pattern": ["Regex": pattern], "behavior": "Isolated", "invert": false]
    }

    private static let byteLevel: [String: Any] = ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false]

    // MARK: Reading

    /// Reads a tokenizer.json file written by `write(to:)` or by the `tokenizers` package from one.
    public static func read(_ url: URL) throws -> HuggingFaceTokenizer {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw TokenizerFileError.unreadable(path: url.path) }
        return try HuggingFaceTokenizer(json: data, path: url.path)
    }

    /// Parses tokenizer.json bytes; `path` names the source in errors. Refuses settings under which the
    /// `tokenizers` package would give other ids than Attend (a normalizer, another pre-tokenizer, BPE dropout …).
    public init(json data: Data, path: String = "<memory>") throws {
        func invalid(_ reason: String) -> TokenizerFileError { .invalid(path: path, reason: reason) }
        func unsupported(_ reason: String) -> TokenizerFileError { .unsupported(path: path, reason: reason) }
        guard let object = try? JSONSerialization.jsonObject(with: data), let root = object as? [String: Any] else {
            throw invalid("not a JSON object")
        }
        guard let model = root["model"] as? [String: Any], let type = model["type"] as? String else { throw invalid("no model with a type") }
        let normalizer = (root["normalizer"] as? [String: Any])?["type"] as? String
        guard Self.isNull(root["normalizer"]) || (type == "WordLevel" && normalizer == "NFC") else {
            throw unsupported("it has a normalizer\(normalizer.map { " (\($0))" } ?? ""); Attend reads none, or NFC with a character vocabulary")
        }
        guard Self.isNull(root["post_processor"]) else { throw unsupported("it has a post-processor, which would add tokens") }
        guard let vocab = model["vocab"] as? [String: Any] else { throw invalid("the model has no vocab object") }
        var ids: [String: Int] = [:]
        for (token, value) in vocab {
            guard let number = value as? NSNumber, case let d = number.doubleValue, d >= 0, d < 1e9, d.rounded() == d else {
                throw invalid("the id of \(String(reflecting: token)) is not a non-negative integer")
            }
            ids[token] = number.intValue
        }
        var byID = [String?](repeating: nil, count: ids.count)
        for (token, id) in ids {
            guard id < ids.count, byID[id] == nil else { throw unsupported("vocabulary ids are not 0..<\(ids.count), each once (id \(id))") }
            byID[id] = token
        }
        let tokens = byID.map { $0! }
        switch type {
        case "WordLevel":
            guard Self.matches(root["pre_tokenizer"], split: Self.characterPattern) else {
                throw unsupported("a character vocabulary needs the pre-tokenizer Split on \\X (isolated)")
            }
            let characters = try tokens.map { token -> Character in
                guard token.count == 1, let c = token.first else { throw unsupported("vocabulary entry \(String(reflecting: token)) is not one character") }
                return c
            }
            self = .characters(CharTokenizer(characters: characters))
        case "BPE":
            guard let sequence = root["pre_tokenizer"] as? [String: Any], sequence["type"] as? String == "Sequence",
                  let steps = sequence["pretokenizers"] as? [Any], steps.count == 2, Self.matches(steps[0], split: Self.wordPattern),
                  let byteLevel = steps[1] as? [String: Any], byteLevel["type"] as? String == "ByteLevel",
                  byteLevel["use_regex"] as? Bool == false, byteLevel["add_prefix_space"] as? Bool == false
            else { throw unsupported("the pre-tokenizer is not Attend's word split followed by ByteLevel without its own regex or prefix space") }
            guard Self.isNull(model["dropout"]) else { throw unsupported("BPE dropout is set") }
            for key in ["continuing_subword_prefix", "end_of_word_suffix"] where !(Self.isNull(model[key]) || model[key] as? String == "") {
                throw unsupported("\(key) is set")
            }
            for key in ["byte_fallback", "ignore_merges"] where model[key] as? Bool == true { throw unsupported("\(key) is true") }
            for (i, s) in BPETokenizer.specialTokens.enumerated() where tokens.count <= i || tokens[i] != s {
                throw unsupported("id \(i) must be \(s)")
            }
            guard tokens.count >= BPETokenizer.baseVocabSize else { throw unsupported("fewer than the 260 special and byte tokens") }
            for b in 0..<256 where tokens[Int(BPETokenizer.byteOffset) + b] != Self.spell([UInt8(b)]) {
                throw unsupported("id \(Int(BPETokenizer.byteOffset) + b) must be byte \(b)")
            }
            guard let mergeList = model["merges"] as? [Any] else { throw invalid("the model has no merges list") }
            guard mergeList.count == tokens.count - BPETokenizer.baseVocabSize else {
                throw unsupported("\(mergeList.count) merges for \(tokens.count - BPETokenizer.baseVocabSize) tokens after the bytes")
            }
            var merges: [BPETokenizer.Merge] = []
            for (k, entry) in mergeList.enumerated() {
                let pair: [String]
                if let list = entry as? [String], list.count == 2 { pair = list }
                else if let s = entry as? String, case let parts = s.split(separator: " ", omittingEmptySubsequences: false), parts.count == 2 {
                    pair = parts.map(String.init)
                } else { throw invalid("merge \(k) is not a pair of tokens") }
                guard let left = ids[pair[0]], let right = ids[pair[1]] else { throw invalid("merge \(k) joins a token outside the vocabulary") }
                guard ids[pair[0] + pair[1]] == BPETokenizer.baseVocabSize + k else {
                    throw unsupported("merge \(k) must make token \(BPETokenizer.baseVocabSize + k)")
                }
                merges.append(BPETokenizer.Merge(left: Int32(left), right: Int32(right)))
            }
            do { self = .bytePairs(try BPETokenizer(merges: merges)) }
            catch let error as BPEError { throw unsupported(error.description) }
        default:
            throw unsupported("model type \(type)")
        }
    }

    private static func isNull(_ value: Any?) -> Bool { value == nil || value is NSNull }

    /// Whether `value` is a Split pre-tokenizer on regex `pattern`, isolated, not inverted.
    private static func matches(_ value: Any?, split pattern: String) -> Bool {
        guard let s = value as? [String: Any], s["type"] as? String == "Split",
              let p = s["pattern"] as? [String: Any], p["Regex"] as? String == pattern else { return false }
        return (s["behavior"] as? String)?.lowercased() == "isolated" && s["invert"] as? Bool != true
    }
}
