import Foundation

/// A corpus BLEU score with the sufficient statistics behind it, laid out as sacreBLEU's `BLEUScore`.
///
/// BLEU = BP · exp(¼ Σₙ log pₙ) · 100 over n = 1…4, where pₙ = countsₙ / totalsₙ (clipped n-gram
/// matches over hypothesis n-grams, summed over the corpus) and BP = min(1, exp(1 − r/c)) with c the
/// hypothesis length and r the effective reference length (Papineni et al. 2002; Post 2018, sacreBLEU).
public struct BLEUScore: Sendable, Equatable {
    /// The score in 0…100.
    public let score: Double
    /// Clipped n-gram matches for n = 1…4, summed over sentences.
    public let counts: [Int]
    /// Hypothesis n-grams for n = 1…4, summed over sentences.
    public let totals: [Int]
    /// Smoothed precisions pₙ in percent (what the score multiplies), as sacreBLEU reports them.
    public let precisions: [Double]
    /// The brevity penalty BP in 0…1.
    public let brevityPenalty: Double
    /// Total hypothesis tokens (c).
    public let systemLength: Int
    /// Total effective reference tokens (r): per sentence, the reference length closest to the
    /// hypothesis length, the shorter one on ties.
    public let referenceLength: Int
    /// References per sentence when every sentence has the same number, nil when it varies
    /// (the signature's `nrefs:var`).
    public let referencesPerSentence: Int?

    /// Memberwise initializer.
    public init(score: Double, counts: [Int], totals: [Int], precisions: [Double], brevityPenalty: Double,
                systemLength: Int, referenceLength: Int, referencesPerSentence: Int?) {
        self.score = score
        self.counts = counts
        self.totals = totals
        self.precisions = precisions
        self.brevityPenalty = brevityPenalty
        self.systemLength = systemLength
        self.referenceLength = referenceLength
        self.referencesPerSentence = referencesPerSentence
    }

    /// Hypothesis length over reference length (0 when there are no reference tokens), as sacreBLEU.
    public var ratio: Double { referenceLength > 0 ? Double(systemLength) / Double(referenceLength) : 0 }

    /// sacreBLEU's reproducibility signature for the settings used, e.g.
    /// `nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0+attend` — the version is the
    /// sacreBLEU release this implementation is tested against, marked as Attend's reimplementation.
    public var signature: String {
        let nrefs = referencesPerSentence.map(String.init) ?? "var"
        return "nrefs:\(nrefs)|case:mixed|eff:no|tok:13a|smooth:exp|version:\(BLEU.sacreBLEUVersion)+attend"
    }

    /// sacreBLEU's one-line summary, e.g.
    /// `BLEU = 35.12 67.3/42.1/28.0/19.5 (BP = 0.954 ratio = 0.955 hyp_len = 1234 ref_len = 1292)`.
    public var formatted: String {
        let precisionText = precisions.map { String(format: "%.1f", $0) }.joined(separator: "/")
        return String(format: "BLEU = %.2f ", score) + precisionText
            + String(format: " (BP = %.3f ratio = %.3f ", brevityPenalty, ratio)
            + "hyp_len = \(systemLength) ref_len = \(referenceLength))"
    }
}

/// Problems with BLEU inputs; messages say what to do.
public enum BLEUError: Error, CustomStringConvertible, Equatable {
    /// A reference stream has a different number of lines than the hypotheses.
    case countMismatch(hypotheses: Int, references: Int, stream: Int)
    /// No hypotheses were given.
    case emptyCorpus
    /// No reference streams were given.
    case noReferences
    /// Every reference of one sentence is missing (nil).
    case sentenceWithoutReferences(index: Int)
    /// `groupReferences` got different numbers of sources and references.
    case sourceReferenceMismatch(sources: Int, references: Int)

    /// What went wrong and what to do.
    public var description: String {
        switch self {
        case let .countMismatch(h, r, stream):
            return "BLEU needs one reference per hypothesis, but there are \(h) hypotheses and reference stream \(stream) has \(r) lines; pass files of equal length"
        case .emptyCorpus:
            return "BLEU got no hypotheses; pass at least one hypothesis line"
        case .noReferences:
            return "BLEU got no reference streams; pass at least one reference file"
        case let .sentenceWithoutReferences(i):
            return "sentence \(i) has no reference in any stream (all nil); give every sentence at least one reference"
        case let .sourceReferenceMismatch(s, r):
            return "there are \(s) source sentences but \(r) references; pass parallel files of equal length"
        }
    }
}

/// Corpus BLEU exactly as sacreBLEU 2.6.0 computes it by default: `tokenize='13a'`, case-sensitive,
/// n-grams up to 4, `smooth_method='exp'`, no effective order, closest reference length.
public enum BLEU {
    /// The sacreBLEU release whose output this matches (checked against a fixture it generated).
    public static let sacreBLEUVersion = "2.6.0"
    /// Highest n-gram order.
    public static let maxOrder = 4

    /// Corpus BLEU of `hypotheses` against reference streams: `references[r][i]` is reference `r` of
    /// sentence `i` (sacreBLEU's layout). Every string is a real reference, as in sacreBLEU: an empty
    /// string is a zero-length reference that still competes for the closest length. Use the
    /// `[[String?]]` overload with nil for references that are missing.
    public static func corpusScore(hypotheses: [String], references: [[String]]) throws -> BLEUScore {
        try corpusScore(hypotheses: hypotheses, references: references.map { $0.map { Optional($0) } })
    }

    /// Corpus BLEU where a nil reference is missing (sacreBLEU's `None`): it is skipped, so sentences
    /// may have different numbers of references (`nrefs:var` in the signature).
    public static func corpusScore(hypotheses: [String], references: [[String?]]) throws -> BLEUScore {
        guard !hypotheses.isEmpty else { throw BLEUError.emptyCorpus }
        guard !references.isEmpty else { throw BLEUError.noReferences }
        for (r, stream) in references.enumerated() where stream.count != hypotheses.count {
            throw BLEUError.countMismatch(hypotheses: hypotheses.count, references: stream.count, stream: r)
        }
        var vocabulary = TokenVocabulary()
        var counts = [Int](repeating: 0, count: maxOrder), totals = counts
        var systemLength = 0, referenceLength = 0
        var referenceCounts = Set<Int>()
        for i in hypotheses.indices {
            let refs = references.compactMap { $0[i] }
            guard !refs.isEmpty else { throw BLEUError.sentenceWithoutReferences(index: i) }
            referenceCounts.insert(refs.count)
            // Reference n-gram counts are the maximum over references; lengths are kept for BP.
            var referenceNGrams: [NGram: Int] = [:]
            var referenceLengths: [Int] = []
            for ref in refs {
                let tokens = vocabulary.ids(tokenize13a(ref))
                referenceLengths.append(tokens.count)
                for (ngram, count) in ngramCounts(tokens) {
                    referenceNGrams[ngram] = max(referenceNGrams[ngram] ?? 0, count)
                }
            }
            let hypothesis = vocabulary.ids(tokenize13a(hypotheses[i]))
            systemLength += hypothesis.count
            referenceLength += closestLength(to: hypothesis.count, among: referenceLengths)
            for (ngram, count) in ngramCounts(hypothesis) {
                totals[ngram.order - 1] += count
                counts[ngram.order - 1] += min(count, referenceNGrams[ngram] ?? 0)
            }
        }
        return score(counts: counts, totals: totals, systemLength: systemLength, referenceLength: referenceLength,
                     referencesPerSentence: referenceCounts.count == 1 ? referenceCounts.first : nil)
    }

    /// BLEU from corpus statistics, sacreBLEU's `compute_bleu` with `smooth_method='exp'`: an order
    /// with no matches gets precision 100 / (2ᵏ · totalₙ) for its k-th such order (mteval-v13a's
    /// smoothing); an order with no hypothesis n-grams stops the loop and leaves later precisions 0,
    /// and log 0 is floored to −9999999999, so the score is then 0.
    public static func score(counts: [Int], totals: [Int], systemLength: Int, referenceLength: Int,
                             referencesPerSentence: Int? = 1) -> BLEUScore {
        precondition(counts.count == maxOrder && totals.count == maxOrder, "counts and totals need \(maxOrder) entries")
        var brevityPenalty = 1.0
        if systemLength < referenceLength {
            brevityPenalty = systemLength > 0 ? exp(1 - Double(referenceLength) / Double(systemLength)) : 0
        }
        var precisions = [Double](repeating: 0, count: maxOrder)
        func result(_ score: Double) -> BLEUScore {
            BLEUScore(score: score, counts: counts, totals: totals, precisions: precisions, brevityPenalty: brevityPenalty,
                      systemLength: systemLength, referenceLength: referenceLength,
                      referencesPerSentence: referencesPerSentence)
        }
        guard counts.contains(where: { $0 != 0 }) else { return result(0) }
        var smoothing = 1.0
        for n in 0..<maxOrder {
            if totals[n] == 0 { break }
            if counts[n] == 0 {
                smoothing *= 2
                precisions[n] = 100 / (smoothing * Double(totals[n]))
            } else {
                precisions[n] = 100 * Double(counts[n]) / Double(totals[n])
            }
        }
        let logSum = precisions.reduce(0.0) { $0 + ($1 == 0 ? -9_999_999_999 : log($1)) }
        return result(brevityPenalty * exp(logSum / Double(maxOrder)))
    }

    /// Groups a parallel corpus whose source sentences repeat (one source, several translations) into
    /// multi-reference form: each distinct source once, in first-occurrence order, with its k-th
    /// translation in reference stream k. Sources with fewer translations get nil (missing, sacreBLEU's
    /// `None`) in the later streams — not "", which sacreBLEU would count as a zero-length reference.
    /// Sources are compared by exact Unicode scalars, as Python compares strings.
    public static func groupReferences(sources: [String], references: [String]) throws
        -> (uniqueSources: [String], references: [[String?]]) {
        guard sources.count == references.count else {
            throw BLEUError.sourceReferenceMismatch(sources: sources.count, references: references.count)
        }
        var slot: [[UInt8]: Int] = [:]
        var uniqueSources: [String] = []
        var grouped: [[String]] = []
        for (source, reference) in zip(sources, references) {
            let key = Array(source.utf8)
            if let k = slot[key] {
                grouped[k].append(reference)
            } else {
                slot[key] = uniqueSources.count
                uniqueSources.append(source)
                grouped.append([reference])
            }
        }
        let streams = grouped.map(\.count).max() ?? 0
        let layout: [[String?]] = (0..<streams).map { r in grouped.map { r < $0.count ? $0[r] : nil } }
        return (uniqueSources, layout)
    }

    /// Multi-reference corpus BLEU of a corpus whose source sentences repeat: the lines of each distinct
    /// source form one sentence whose references are all their translations (`groupReferences`), scored
    /// by the hypothesis of its first occurrence. `hypotheses`, `sources` and `references` are aligned.
    public static func groupedScore(hypotheses: [String], sources: [String], references: [String]) throws -> BLEUScore {
        guard hypotheses.count == sources.count else {
            throw BLEUError.sourceReferenceMismatch(sources: sources.count, references: hypotheses.count)
        }
        let grouped = try groupReferences(sources: sources, references: references)
        var first: [[UInt8]: Int] = [:]  // by exact bytes, as groupReferences compares sources
        for (i, s) in sources.enumerated() where first[Array(s.utf8)] == nil { first[Array(s.utf8)] = i }
        return try corpusScore(hypotheses: grouped.uniqueSources.map { hypotheses[first[Array($0.utf8)]!] }, references: grouped.references)
    }

    /// sacreBLEU's `_get_closest_ref_len`: the reference length nearest `length`, the shorter on ties.
    static func closestLength(to length: Int, among lengths: [Int]) -> Int {
        var best = -1, bestDiff = -1
        for l in lengths {
            let diff = abs(length - l)
            if bestDiff == -1 || diff < bestDiff || (diff == bestDiff && l < best) { best = l; bestDiff = diff }
        }
        return best
    }

    /// All n-grams of order 1…4 with their counts.
    private static func ngramCounts(_ tokens: [Int32]) -> [NGram: Int] {
        var result: [NGram: Int] = [:]
        for n in 1...maxOrder where tokens.count >= n {
            for i in 0...(tokens.count - n) { result[NGram(tokens[i..<(i + n)]), default: 0] += 1 }
        }
        return result
    }
}

/// Up to four token ids; a token is identified by its exact UTF-8 bytes (Python compares strings by
/// code points, whereas Swift `String` equality would merge canonically equivalent spellings).
private struct NGram: Hashable {
    var ids: (Int32, Int32, Int32, Int32) = (-1, -1, -1, -1)
    var order: Int

    init(_ slice: ArraySlice<Int32>) {
        order = slice.count
        var s = slice.startIndex
        ids.0 = slice[s]
        if order > 1 { s += 1; ids.1 = slice[s] }
        if order > 2 { s += 1; ids.2 = slice[s] }
        if order > 3 { s += 1; ids.3 = slice[s] }
    }

    static func == (a: NGram, b: NGram) -> Bool {
        a.order == b.order && a.ids.0 == b.ids.0 && a.ids.1 == b.ids.1 && a.ids.2 == b.ids.2 && a.ids.3 == b.ids.3
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(order)
        hasher.combine(ids.0); hasher.combine(ids.1); hasher.combine(ids.2); hasher.combine(ids.3)
    }
}

/// Interns whitespace-separated tokens of a 13a-tokenized line by their bytes.
private struct TokenVocabulary {
    private var index: [[UInt8]: Int32] = [:]

    mutating func ids(_ tokenized: String) -> [Int32] {
        // tokenize13a joins tokens with single spaces and leaves no other whitespace.
        tokenized.utf8.split(separator: 0x20).map { token in
            let key = Array(token)
            if let id = index[key] { return id }
            let id = Int32(index.count)
            index[key] = id
            return id
        }
    }
}
