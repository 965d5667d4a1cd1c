import Foundation

/// Problems with BPE training settings or a saved tokenizer; messages say what to do.
public enum BPEError: Error, CustomStringConvertible, Equatable {
    /// The requested vocabulary cannot hold the special tokens and the 256 bytes.
    case vocabSizeTooSmall(requested: Int, minimum: Int)
    /// `minFrequency` below 1.
    case invalidMinFrequency(Int)
    /// A saved tokenizer whose special tokens or merges are inconsistent.
    case corrupt(String)

    /// What went wrong and what to do.
    public var description: String {
        switch self {
        case let .vocabSizeTooSmall(requested, minimum):
            return "BPE vocabSize \(requested) is too small: the 4 special tokens and 256 bytes alone need \(minimum); use --vocab-size \(minimum) or more"
        case let .invalidMinFrequency(m):
            return "BPE minFrequency must be at least 1, got \(m)"
        case let .corrupt(why):
            return "the saved BPE tokenizer is corrupt (\(why)); retrain it or restore the file from the checkpoint"
        }
    }
}

/// Byte-level byte-pair encoding (Sennrich, Haddow & Birch 2016; byte-level base alphabet as GPT-2,
/// Radford et al. 2019): lossless on any UTF-8 text, so `decode(encode(x)) == x` exactly.
///
/// Ids: `<pad>` 0, `<bos>` 1, `<eos>` 2, `<unk>` 3, byte b → 4 + b, merge k → 260 + k.
/// Text is first cut into words GPT-2-style — ` ?letters+ | ?digits+ | ?other+ |spaces` (the contraction
/// rules omitted), so a word carries its leading space — and merges never cross a word boundary.
public struct BPETokenizer: Codable, Equatable, Sendable {
    /// Padding id.
    public static let padID: Int32 = 0
    /// Beginning-of-sequence id.
    public static let bosID: Int32 = 1
    /// End-of-sequence id.
    public static let eosID: Int32 = 2
    /// Unknown-token id (reserved; byte-level encoding never needs it).
    public static let unkID: Int32 = 3
    /// Special token names in id order.
    public static let specialTokens = ["<pad>", "<bos>", "<eos>", "<unk>"]
    /// Id of byte 0; byte b has id `byteOffset + b`.
    public static let byteOffset: Int32 = 4
    /// Special tokens + 256 bytes: the vocabulary before any merge, and the smallest `vocabSize`.
    public static let baseVocabSize = 260

    /// One learned merge: the adjacent pair (left, right) becomes a new token.
    public struct Merge: Hashable, Sendable {
        /// Id of the left token.
        public let left: Int32
        /// Id of the right token.
        public let right: Int32
        /// A merge of `left` followed by `right`.
        public init(left: Int32, right: Int32) { self.left = left; self.right = right }
    }

    /// Merges in the order learned; merge k produced token `baseVocabSize + k`.
    public let merges: [Merge]
    private let tokenBytes: [[UInt8]]
    private let ranks: [UInt64: Int32]
    private let cache = WordCache()

    /// A tokenizer from learned merges; throws when a merge refers to a token not yet defined.
    public init(merges: [Merge]) throws {
        var bytes: [[UInt8]] = Array(repeating: [], count: Self.specialTokens.count) + (0...255).map { [UInt8($0)] }
        var ranks: [UInt64: Int32] = [:]
        for (k, m) in merges.enumerated() {
            let next = bytes.count
            guard m.left >= Self.byteOffset, m.right >= Self.byteOffset, Int(m.left) < next, Int(m.right) < next else {
                throw BPEError.corrupt("merge \(k) joins \(m.left) and \(m.right) but only ids 4..<\(next) exist then")
            }
            guard ranks[Self.key(m.left, m.right)] == nil else { throw BPEError.corrupt("merge \(k) repeats an earlier merge") }
            ranks[Self.key(m.left, m.right)] = Int32(k)
            bytes.append(bytes[Int(m.left)] + bytes[Int(m.right)])
        }
        self.merges = merges
        self.tokenBytes = bytes
        self.ranks = ranks
    }

    /// Number of token ids: 260 + merges.
    public var vocabSize: Int { tokenBytes.count }

    /// Token ids for `text` (no `<bos>`/`<eos>` added): each word's bytes, then merges applied lowest
    /// rank first until none applies. Results are cached per word.
    public func encode(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        ids.reserveCapacity(text.utf8.count / 2)
        Self.forEachWord(in: text) { word in
            if word.count > 64 { ids.append(contentsOf: encodeWord(word)); return }  // rare; keep the cache small
            if let hit = cache.lookup(word) { ids.append(contentsOf: hit); return }
            let pieces = encodeWord(word)
            cache.store(word, pieces)
            ids.append(contentsOf: pieces)
        }
        return ids
    }

    /// Text for token ids; special tokens and ids outside the vocabulary are skipped. Invalid UTF-8
    /// (possible only for sampled ids) becomes U+FFFD.
    public func decode(_ ids: [Int32]) -> String {
        var bytes: [UInt8] = []
        for id in ids where id >= Self.byteOffset && Int(id) < tokenBytes.count { bytes += tokenBytes[Int(id)] }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The bytes a token stands for (empty for special tokens and ids outside the vocabulary).
    public func bytes(of id: Int32) -> [UInt8] {
        id >= 0 && Int(id) < tokenBytes.count ? tokenBytes[Int(id)] : []
    }

    /// A readable form of one token for inspection: the special token's name, else its bytes as text.
    public func tokenText(_ id: Int32) -> String {
        if id >= 0 && Int(id) < Self.specialTokens.count { return Self.specialTokens[Int(id)] }
        return String(decoding: bytes(of: id), as: UTF8.self)
    }

    /// Tokenizers are equal when their merges are (the encode cache is not compared).
    public static func == (a: BPETokenizer, b: BPETokenizer) -> Bool { a.merges == b.merges }

    // MARK: Codable — {"format": "attend-bpe-1", "specialTokens": [...], "merges": [[left, right], ...]}

    private enum CodingKeys: String, CodingKey { case format, specialTokens, merges }
    private static let format = "attend-bpe-1"

    /// Reads the JSON written by `encode(to:)`, validating the special tokens and merges.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let format = try c.decode(String.self, forKey: .format)
        guard format == Self.format else { throw BPEError.corrupt("format \(format), expected \(Self.format)") }
        let specials = try c.decode([String].self, forKey: .specialTokens)
        guard specials == Self.specialTokens else { throw BPEError.corrupt("special tokens \(specials), expected \(Self.specialTokens)") }
        let pairs = try c.decode([[Int32]].self, forKey: .merges)
        try self.init(merges: try pairs.enumerated().map { k, p in
            guard p.count == 2 else { throw BPEError.corrupt("merge \(k) has \(p.count) ids, expected 2") }
            return Merge(left: p[0], right: p[1])
        })
    }

    /// Writes the format tag, the special tokens and the merges as `[left, right]` id pairs.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.format, forKey: .format)
        try c.encode(Self.specialTokens, forKey: .specialTokens)
        try c.encode(merges.map { [$0.left, $0.right] }, forKey: .merges)
    }

    // MARK: Training

    /// Learns merges over `texts` (pass source and target sentences together for a joint vocabulary):
    /// counts words, then repeatedly merges the most frequent adjacent pair — ties go to the smallest
    /// (left, right) ids — until `vocabSize` tokens exist or no pair occurs `minFrequency` times.
    ///
    /// Pair counts are updated incrementally: an index from each pair to the words containing it
    /// limits each merge to the words it changes, and a max-heap with lazy deletion finds the best pair.
    public static func train(texts: [String], vocabSize: Int = 8000, minFrequency: Int = 2) throws -> BPETokenizer {
        guard vocabSize >= baseVocabSize else { throw BPEError.vocabSizeTooSmall(requested: vocabSize, minimum: baseVocabSize) }
        guard minFrequency >= 1 else { throw BPEError.invalidMinFrequency(minFrequency) }
        var wordCounts: [[UInt8]: Int] = [:]
        for text in texts { forEachWord(in: text) { wordCounts[Array($0), default: 0] += 1 } }
        // Sorted so that the run is independent of the process's hash seed.
        let sortedWords = wordCounts.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        var words = sortedWords.map { $0.key.map { Int32($0) + byteOffset } }
        let frequencies = sortedWords.map(\.value)

        var pairCounts: [UInt64: Int] = [:]
        var pairWords: [UInt64: [Int32]] = [:]
        for (w, symbols) in words.enumerated() where symbols.count > 1 {
            for i in 0..<(symbols.count - 1) {
                let p = key(symbols[i], symbols[i + 1])
                pairCounts[p, default: 0] += frequencies[w]
                pairWords[p, default: []].append(Int32(w))
            }
        }
        var heap = PairHeap()
        for (p, count) in pairCounts { heap.push(count: count, pair: p) }

        var merges: [Merge] = []
        var visited = [Int](repeating: -1, count: words.count)
        while merges.count < vocabSize - baseVocabSize, let top = heap.pop() {
            let (count, pair) = top
            guard pairCounts[pair] == count else { continue }  // stale entry; a fresh one was pushed
            if count < minFrequency { break }
            let left = Int32(truncatingIfNeeded: pair >> 32), right = Int32(truncatingIfNeeded: pair)
            let newID = Int32(baseVocabSize + merges.count)
            merges.append(Merge(left: left, right: right))
            var deltas: [UInt64: Int] = [:]
            for w32 in pairWords.removeValue(forKey: pair) ?? [] {
                let w = Int(w32)
                guard visited[w] != merges.count else { continue }
                visited[w] = merges.count
                let old = words[w]
                let new = applyMerge(old, left: left, right: right, newID: newID)
                guard new.count != old.count else { continue }
                let f = frequencies[w]
                for i in 0..<(old.count - 1) { deltas[key(old[i], old[i + 1]), default: 0] -= f }
                for i in 0..<max(new.count - 1, 0) {
                    let p = key(new[i], new[i + 1])
                    deltas[p, default: 0] += f
                    if new[i] == newID || new[i + 1] == newID { pairWords[p, default: []].append(w32) }
                }
                words[w] = new
            }
            for (p, d) in deltas where d != 0 {
                let updated = (pairCounts[p] ?? 0) + d
                if updated > 0 {
                    pairCounts[p] = updated
                    heap.push(count: updated, pair: p)
                } else {
                    pairCounts[p] = nil
                }
            }
        }
        return try BPETokenizer(merges: merges)
    }

    // MARK: Internals

    @inline(__always) static func key(_ a: Int32, _ b: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b))
    }

    /// Replaces every non-overlapping (left, right), scanning left to right, by `newID`.
    private static func applyMerge(_ s: [Int32], left: Int32, right: Int32, newID: Int32) -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(s.count)
        var i = 0
        while i < s.count {
            if i + 1 < s.count, s[i] == left, s[i + 1] == right {
                out.append(newID)
                i += 2
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return out
    }

    /// One word's ids: bytes, then the lowest-ranked applicable merge until none applies.
    private func encodeWord(_ word: ArraySlice<UInt8>) -> [Int32] {
        var symbols = word.map { Int32($0) + Self.byteOffset }
        while symbols.count > 1 {
            var best = Int32.max
            for i in 0..<(symbols.count - 1) {
                if let r = ranks[Self.key(symbols[i], symbols[i + 1])], r < best { best = r }
            }
            guard best != .max else { break }
            let m = merges[Int(best)]
            symbols = Self.applyMerge(symbols, left: m.left, right: m.right, newID: Int32(Self.baseVocabSize) + best)
        }
        return symbols
    }

    /// Scalar classes for word splitting.
    private enum ScalarClass: UInt8 { case letter, number, space, other }

    private static func classify(_ c: Unicode.Scalar) -> ScalarClass {
        switch c.value {
        case 0x41...0x5A, 0x61...0x7A: return .letter
        case 0x30...0x39: return .number
        case 0x09...0x0D, 0x20: return .space
        case 0...0x7F: return .other
        default: break
        }
        let p = c.properties
        if p.isWhitespace { return .space }
        switch p.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return .other
        }
    }

    /// Calls `body` with each word's UTF-8 bytes, in order; the words concatenate to `text`.
    /// GPT-2's pattern without contractions: ` ?L+| ?N+| ?[^\sLN]+|\s+(?!\S)|\s+`, where L includes marks.
    static func forEachWord(in text: String, _ body: (ArraySlice<UInt8>) -> Void) {
        let bytes = Array(text.utf8)
        var classes: [ScalarClass] = [], starts: [Int] = [], isSpaceBar: [Bool] = []
        var offset = 0
        for c in text.unicodeScalars {
            classes.append(classify(c))
            starts.append(offset)
            isSpaceBar.append(c == " ")
            offset += UTF8.width(c)
        }
        starts.append(offset)
        let n = classes.count
        var i = 0
        while i < n {
            var j = i
            if classes[i] != .space || (isSpaceBar[i] && i + 1 < n && classes[i + 1] != .space) {
                if classes[j] == .space { j += 1 }  // the word's leading space
                let cls = classes[j]
                while j < n && classes[j] == cls { j += 1 }
            } else {
                while j < n && classes[j] == .space { j += 1 }
                if j < n && j - i > 1 { j -= 1 }  // leave the last space for the next word
            }
            body(bytes[starts[i]..<starts[j]])
            i = j
        }
    }
}

/// Max-heap of (count, pair): higher count first, then the smaller pair key (smaller left, then right id).
private struct PairHeap {
    private var items: [(count: Int, pair: UInt64)] = []

    private func above(_ a: (count: Int, pair: UInt64), _ b: (count: Int, pair: UInt64)) -> Bool {
        a.count > b.count || (a.count == b.count && a.pair < b.pair)
    }

    mutating func push(count: Int, pair: UInt64) {
        items.append((count, pair))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard above(items[i], items[parent]) else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> (Int, UInt64)? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var best = i
                if l < items.count && above(items[l], items[best]) { best = l }
                if r < items.count && above(items[r], items[best]) { best = r }
                if best == i { break }
                items.swapAt(i, best)
                i = best
            }
        }
        return (top.count, top.pair)
    }
}

/// Per-word encode cache shared by copies of a tokenizer; cleared when it grows past `limit` words.
private final class WordCache: @unchecked Sendable {
    private var entries: [[UInt8]: [Int32]] = [:]
    private let lock = NSLock()
    private let limit = 1 << 18

    func lookup(_ word: ArraySlice<UInt8>) -> [Int32]? {
        lock.lock(); defer { lock.unlock() }
        return entries[Array(word)]
    }

    func store(_ word: ArraySlice<UInt8>, _ ids: [Int32]) {
        lock.lock(); defer { lock.unlock() }
        if entries.count >= limit { entries.removeAll(keepingCapacity: true) }
        entries[Array(word)] = ids
    }
}
