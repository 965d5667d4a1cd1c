import AttendData
import AttendModels
import AttendTensor
import Foundation

/// Corpus BLEU of a translation model on held-out examples, single- and multi-reference, as
/// `attend bleu` computes it (sacreBLEU-compatible, 13a tokenization): hypotheses and references are
/// the decoded token ids, so a byte-level BPE vocabulary scores the original text.
public struct TranslationBLEU: Equatable, Sendable {
    /// BLEU against each example's own target (one reference per sentence).
    public var single: Double
    /// BLEU with the examples whose source repeats grouped into one sentence whose references are all
    /// their targets (scored by the first occurrence's translation; `BLEU.groupReferences`).
    public var multi: Double
    /// The decoded translations, in example order.
    public var hypotheses: [String]

    /// Translates `examples` with `model` (`options`: beam 1 = greedy) and scores the translations.
    public static func measure(_ model: EncoderDecoder, vocabulary: TranslationVocabulary, examples: [TranslationExample],
                               options: DecodingOptions, batchSize: Int = 64) throws -> TranslationBLEU {
        let outputs = withoutGradients { model.translate(examples.map(\.source), options: options, batchSize: batchSize) }
        let hypotheses = outputs.map { vocabulary.decode($0) }
        let scores = try score(hypotheses: hypotheses, sources: examples.map { vocabulary.decode($0.source) },
                               references: examples.map { vocabulary.decode($0.target) })
        return TranslationBLEU(single: scores.single, multi: scores.multi, hypotheses: hypotheses)
    }

    /// Single- and multi-reference corpus BLEU of `hypotheses` (aligned with `sources` and `references`).
    public static func score(hypotheses: [String], sources: [String], references: [String]) throws -> (single: Double, multi: Double) {
        let single = try BLEU.corpusScore(hypotheses: hypotheses, references: [references]).score
        let multi = try BLEU.groupedScore(hypotheses: hypotheses, sources: sources, references: references).score
        return (single, multi)
    }
}
