import Testing
import AttendData

extension BLEUFixture.Case: CustomTestStringConvertible {
    var testDescription: String { name }
}

@Suite("BLEU matches sacreBLEU")
struct BLEUTests {
    /// Scores a fixture case through the public API: `[[String]]` when no reference is missing
    /// (so "" is a real, empty reference), `[[String?]]` otherwise.
    private func score(_ c: BLEUFixture.Case) throws -> BLEUScore {
        if c.references.allSatisfy({ $0.allSatisfy { $0 != nil } }) {
            return try BLEU.corpusScore(hypotheses: c.hypotheses, references: c.references.map { $0.map { $0! } })
        }
        return try BLEU.corpusScore(hypotheses: c.hypotheses, references: c.references)
    }

    private func expectMatches(_ s: BLEUScore, _ c: BLEUFixture.Case) {
        #expect(abs(s.score - c.score) <= 0.01, "score \(s.score) vs sacreBLEU \(c.score)")
        #expect(abs(s.score - c.score) <= 1e-9 * max(1, c.score))
        #expect(s.counts == c.counts)
        #expect(s.totals == c.totals)
        #expect(s.systemLength == c.systemLength)
        #expect(s.referenceLength == c.referenceLength)
        #expect(abs(s.brevityPenalty - c.brevityPenalty) <= 1e-12)
        #expect(s.precisions.count == c.precisions.count)
        for (p, q) in zip(s.precisions, c.precisions) { #expect(abs(p - q) <= 1e-9) }
        #expect(s.formatted == c.formatted)
        #expect(s.signature == c.signature.replacingOccurrences(of: "version:\(BLEUFixture.sacreBLEUVersion)",
                                                               with: "version:\(BLEUFixture.sacreBLEUVersion)+attend"))
    }

    @Test("corpus BLEU equals sacreBLEU's: score, counts, totals, lengths, formatted line",
          arguments: BLEUFixture.cases)
    func corpusScore(_ c: BLEUFixture.Case) throws {
        expectMatches(try score(c), c)
    }

    @Test("13a tokenisation equals sacreBLEU's line by line")
    func tokenization() {
        #expect(BLEUFixture.tokenization.count > 100)
        for (line, tokens) in BLEUFixture.tokenization {
            #expect(BLEU.tokenize13a(line) == tokens, "line \(String(reflecting: line))")
        }
    }

    @Test("groupReferences gathers repeated sources into reference streams, missing ones nil")
    func grouping() throws {
        let (sources, references) = try BLEU.groupReferences(sources: BLEUFixture.groupingSources,
                                                             references: BLEUFixture.groupingReferences)
        #expect(sources == BLEUFixture.groupedSources)
        #expect(references == BLEUFixture.grouped.references)
        #expect(references.count > 2, "the fixture slice should have a source with 3+ translations")
        #expect(references.allSatisfy { $0.count == sources.count })
        let s = try BLEU.corpusScore(hypotheses: BLEUFixture.grouped.hypotheses, references: references)
        expectMatches(s, BLEUFixture.grouped)
        #expect(s.signature.hasPrefix("nrefs:var|"))
    }

    @Test("groupedScore scores each distinct source once, by its first line's hypothesis, against all its translations")
    func groupedScore() throws {
        let index = Dictionary(uniqueKeysWithValues: BLEUFixture.groupedSources.enumerated().map { ($1, $0) })
        let lineHypotheses = BLEUFixture.groupingSources.map { BLEUFixture.grouped.hypotheses[index[$0]!] }
        let s = try BLEU.groupedScore(hypotheses: lineHypotheses, sources: BLEUFixture.groupingSources,
                                      references: BLEUFixture.groupingReferences)
        expectMatches(s, BLEUFixture.grouped)
        // Only a source's first line speaks for it: rewriting the repeated lines' hypotheses changes nothing.
        var seen = Set<String>(), rewritten = lineHypotheses
        for (i, source) in BLEUFixture.groupingSources.enumerated() where !seen.insert(source).inserted { rewritten[i] = "zzz qqq" }
        #expect(rewritten != lineHypotheses)
        let again = try BLEU.groupedScore(hypotheses: rewritten, sources: BLEUFixture.groupingSources, references: BLEUFixture.groupingReferences)
        #expect(again.score == s.score)
        #expect(throws: BLEUError.self) {
            _ = try BLEU.groupedScore(hypotheses: ["a"], sources: ["a", "b"], references: ["a", "b"])
        }
    }

    @Test("an empty reference counts as a zero-length reference, a nil one as missing (as sacreBLEU)")
    func emptyVersusMissing() throws {
        let hypotheses = ["the cat", "a dog sat on the mat today ok"]
        let first = ["the cat sat on the mat", "a dog sat on the mat today"]
        let empty = try BLEU.corpusScore(hypotheses: hypotheses, references: [first, ["", "a dog is on the mat"]])
        let missing = try BLEU.corpusScore(hypotheses: hypotheses, references: [first, [nil, "a dog is on the mat"]])
        // sacreBLEU 2.6.0: 85.12 (ref_len 7, nrefs:2) and 63.06 (ref_len 13, nrefs:var).
        #expect(empty.formatted == "BLEU = 85.12 90.0/87.5/83.3/80.0 (BP = 1.000 ratio = 1.429 hyp_len = 10 ref_len = 7)")
        #expect(missing.formatted == "BLEU = 63.06 90.0/87.5/83.3/80.0 (BP = 0.741 ratio = 0.769 hyp_len = 10 ref_len = 13)")
        #expect(empty.signature.hasPrefix("nrefs:2|"))
        #expect(missing.signature.hasPrefix("nrefs:var|"))
    }

    @Test("signature has sacreBLEU's fields and order")
    func signature() throws {
        let s = try BLEU.corpusScore(hypotheses: ["a b c d"], references: [["a b c d"]])
        #expect(s.signature == "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:\(BLEU.sacreBLEUVersion)+attend")
        #expect(BLEU.sacreBLEUVersion == BLEUFixture.sacreBLEUVersion)
        #expect(abs(s.score - 100) < 1e-12)  // sacreBLEU: 100.00000000000004
        #expect(s.formatted == "BLEU = 100.00 100.0/100.0/100.0/100.0 (BP = 1.000 ratio = 1.000 hyp_len = 4 ref_len = 4)")
    }

    @Test("closest reference length prefers the shorter on ties")
    func closestLength() throws {
        // Hypothesis has 3 tokens; references have 2 and 4: tie, so r = 2 and BP = 1.
        let s = try BLEU.corpusScore(hypotheses: ["a b c"], references: [["a b"], ["a b c d"]])
        #expect(s.referenceLength == 2)
        #expect(s.brevityPenalty == 1)
    }

    @Test("mismatched counts throw an error naming both counts")
    func countMismatch() {
        do {
            _ = try BLEU.corpusScore(hypotheses: ["a", "b", "c"], references: [["a", "b", "c"], ["a", "b"]])
            Issue.record("expected an error")
        } catch let error as BLEUError {
            #expect(error == .countMismatch(hypotheses: 3, references: 2, stream: 1))
            #expect(error.description.contains("3 hypotheses"))
            #expect(error.description.contains("has 2 lines"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("empty inputs and sentences without any reference throw")
    func invalidInputs() {
        #expect(throws: BLEUError.emptyCorpus) { try BLEU.corpusScore(hypotheses: [], references: [[String]]()) }
        #expect(throws: BLEUError.noReferences) { try BLEU.corpusScore(hypotheses: ["a"], references: [[String]]()) }
        #expect(throws: BLEUError.sentenceWithoutReferences(index: 1)) {
            try BLEU.corpusScore(hypotheses: ["a", "b"], references: [["a", nil], ["a", nil]])
        }
        #expect(throws: BLEUError.sourceReferenceMismatch(sources: 2, references: 1)) {
            try BLEU.groupReferences(sources: ["a", "b"], references: ["x"])
        }
    }
}
