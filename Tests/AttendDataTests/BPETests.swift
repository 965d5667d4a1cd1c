import Foundation
import Testing
import AttendData

/// A small English–Spanish corpus in which some words are frequent.
private let corpus: [String] = {
    let sentences = [
        "The cat sat on the mat.", "The dog is in the house.", "I want to go home now.",
        "El gato está en la casa.", "¿Dónde está el perro?", "¡Qué día tan bonito!",
        "She reads the newspaper every morning.", "Tom y María están aquí.",
        "the the the and and of of", "niño, niña, año, mañana — ¿sí?",
    ]
    return (0..<20).flatMap { _ in sentences }
}()

private let trained: BPETokenizer = try! BPETokenizer.train(texts: corpus, vocabSize: 350, minFrequency: 2)

private let roundTripTexts: [String] = [
    "", " ", "  ", "\n", "\n\n", "\t", "a", "Hello, world!", "The cat sat on the mat.",
    "  leading and trailing  ", "runs   of\t\tspaces\n\n\nand newlines\r\nCRLF",
    "¿Dónde está el niño? ¡Mañana!", "e\u{301} (decomposed) vs é (composed)",
    "emoji 🙂👍🏽 👨‍👩‍👧‍👦 🇪🇸 flags", "中文测试，日本語のテキスト、한국어", "Ｆｕｌｌ ｗｉｄｔｈ",
    "\u{A0}nbsp\u{2009}thin\u{3000}ideo", "control \u{0}\u{1}\u{7F} chars", "<pad><bos><eos><unk> as text",
    "numbers 1,234.56 and ٣٤ and ⅷ", "tabs\tin\tthe\tmiddle", "x\u{200B}y zero width",
    String(repeating: "thecat", count: 40) + " " + String(repeating: "!?", count: 50),  // words past the cache limit
]

/// Valid Unicode scalars drawn from ASCII, Latin, the whole BMP (no surrogates) and the astral planes.
private func randomText(_ rng: inout RandomGenerator, length: Int) -> String {
    var scalars = String.UnicodeScalarView()
    for _ in 0..<length {
        let value: UInt32
        switch rng.nextInt(below: 5) {
        case 0: value = UInt32(rng.nextInt(below: 128))
        case 1: value = [0x20, 0x0A, 0x09, 0x0D, 0xA0, 0x3000][rng.nextInt(below: 6)]
        case 2: value = 0x80 + UInt32(rng.nextInt(below: 0x780))
        case 3: value = UInt32(rng.nextInt(below: 0xF800)); if value >= 0xD800 { continue }
        default: value = 0x10000 + UInt32(rng.nextInt(below: 0x100000))
        }
        if let s = Unicode.Scalar(value) { scalars.append(s) }
    }
    return String(scalars)
}

/// Straightforward BPE on whole strings (each text one word), recounting every pair at every step:
/// the reference the incremental trainer must equal. Ties go to the smallest (left, right).
private func referenceMerges(words: [String], vocabSize: Int, minFrequency: Int) -> [BPETokenizer.Merge] {
    var counts: [[Int32]: Int] = [:]
    for w in words { counts[w.utf8.map { Int32($0) + 4 }, default: 0] += 1 }
    var merges: [BPETokenizer.Merge] = []
    while merges.count < vocabSize - 260 {
        var pairs: [[Int32]: Int] = [:]
        for (symbols, f) in counts where symbols.count > 1 {
            for i in 0..<(symbols.count - 1) { pairs[[symbols[i], symbols[i + 1]], default: 0] += f }
        }
        guard let best = pairs.max(by: { a, b in
            a.value < b.value || (a.value == b.value && b.key.lexicographicallyPrecedes(a.key))
        }), best.value >= minFrequency else { break }
        let newID = Int32(260 + merges.count)
        merges.append(.init(left: best.key[0], right: best.key[1]))
        var next: [[Int32]: Int] = [:]
        for (symbols, f) in counts {
            var out: [Int32] = [], i = 0
            while i < symbols.count {
                if i + 1 < symbols.count, symbols[i] == best.key[0], symbols[i + 1] == best.key[1] {
                    out.append(newID); i += 2
                } else { out.append(symbols[i]); i += 1 }
            }
            next[out, default: 0] += f
        }
        counts = next
    }
    return merges
}

@Suite("Byte-level BPE tokenizer")
struct BPETests {
    @Test("decode(encode(x)) == x exactly", arguments: roundTripTexts)
    func roundTrip(_ text: String) {
        let ids = trained.encode(text)
        #expect(Array(trained.decode(ids).unicodeScalars) == Array(text.unicodeScalars))
        #expect(ids.allSatisfy { $0 >= BPETokenizer.byteOffset && Int($0) < trained.vocabSize })
    }

    @Test("random valid UTF-8 from a seeded generator round-trips exactly")
    func randomRoundTrip() throws {
        var rng = RandomGenerator(seed: 7)
        let texts = (0..<200).map { _ in randomText(&rng, length: rng.nextInt(below: 40)) }
        let tokenizer = try BPETokenizer.train(texts: texts + corpus, vocabSize: 600, minFrequency: 1)
        for text in texts {
            #expect(Array(tokenizer.decode(tokenizer.encode(text)).utf8) == Array(text.utf8))
        }
    }

    @Test("training yields exactly vocabSize tokens, or fewer when no pair is frequent enough")
    func vocabularySize() throws {
        #expect(trained.vocabSize == 350)
        #expect(trained.merges.count == 90)
        let exhausted = try BPETokenizer.train(texts: corpus, vocabSize: 8000, minFrequency: 2)
        #expect(exhausted.vocabSize > 350 && exhausted.vocabSize < 8000, "merges run out: every word is one token")
        let strict = try BPETokenizer.train(texts: corpus, vocabSize: 8000, minFrequency: 10_000)
        #expect(strict.vocabSize == BPETokenizer.baseVocabSize)
        let runsOut = try BPETokenizer.train(texts: ["ab"], vocabSize: 1000, minFrequency: 1)
        #expect(runsOut.vocabSize == 261)
        #expect(try BPETokenizer.train(texts: [], vocabSize: 300).vocabSize == 260)
    }

    @Test("incremental training equals naive recounting BPE", arguments: [1, 2, 3])
    func matchesReference(seed: UInt64) throws {
        var rng = RandomGenerator(seed: seed)
        let alphabet = Array("abcdé")
        let words = (0..<300).map { _ in String((0..<(1 + rng.nextInt(below: 9))).map { _ in alphabet[rng.nextInt(below: alphabet.count)] }) }
        let tokenizer = try BPETokenizer.train(texts: words, vocabSize: 330, minFrequency: 2)
        #expect(tokenizer.merges == referenceMerges(words: words, vocabSize: 330, minFrequency: 2))
    }

    @Test("ties go to the smallest pair; overlapping pairs merge left to right")
    func tieBreakingAndOverlap() throws {
        let tie = try BPETokenizer.train(texts: ["cd", "ab"], vocabSize: 261, minFrequency: 1)
        #expect(tie.merges == [BPETokenizer.Merge(left: 101, right: 102)])  // "a" "b" before "c" "d"
        let runs = try BPETokenizer.train(texts: ["aaaa"], vocabSize: 300, minFrequency: 1)
        let expected = [BPETokenizer.Merge(left: 101, right: 101), BPETokenizer.Merge(left: 260, right: 260)]
        #expect(runs.merges == expected)
        #expect(runs.encode("aaaa") == [261])
        #expect(runs.encode("aaa") == [260, 101])
    }

    @Test("ids: specials 0…3, bytes from 4, no merges means one id per byte")
    func idLayout() throws {
        let specials: [Int32] = [BPETokenizer.padID, BPETokenizer.bosID, BPETokenizer.eosID, BPETokenizer.unkID]
        #expect(specials == [0, 1, 2, 3])
        let bytesOnly = try BPETokenizer(merges: [])
        #expect(bytesOnly.vocabSize == 260)
        let expected: [Int32] = [4 + 65, 4 + 32, 4 + 0xC3, 4 + 0xA9]
        #expect(bytesOnly.encode("A é") == expected)
        #expect(bytesOnly.tokenText(BPETokenizer.eosID) == "<eos>")
        #expect(trained.encode("<eos>").allSatisfy { $0 >= 4 }, "special-token text is encoded as bytes")
    }

    @Test("decode skips special tokens and ids outside the vocabulary")
    func decodeSkipsSpecials() {
        let text = "El gato está en la casa."
        let ids = [BPETokenizer.bosID] + trained.encode(text) + [BPETokenizer.eosID, BPETokenizer.padID, BPETokenizer.unkID, 99_999, -1]
        #expect(trained.decode(ids) == text)
    }

    @Test("encode is deterministic, and training does not depend on input order")
    func determinism() throws {
        let text = "The cat sat on the mat. ¿Dónde está el perro?"
        #expect(trained.encode(text) == trained.encode(text))
        let again = try BPETokenizer.train(texts: corpus, vocabSize: 350, minFrequency: 2)
        #expect(again == trained)
        let reversed = try BPETokenizer.train(texts: corpus.reversed(), vocabSize: 350, minFrequency: 2)
        #expect(reversed.merges == trained.merges)
        #expect(reversed.encode(text) == trained.encode(text))
    }

    @Test("frequent words become single tokens, carrying their leading space")
    func frequentWords() throws {
        // With 90 merges the most frequent words are whole tokens already.
        for word in [" the", "The"] { #expect(trained.encode(word).count == 1, "\(word)") }
        // Trained until no pair occurs twice, every word seen at least twice is one token.
        let full = try BPETokenizer.train(texts: corpus, vocabSize: 8000, minFrequency: 2)
        for word in [" the", "The", " cat", " está", " casa", "Dónde", " newspaper", " mañana"] {
            let ids = full.encode(word)
            #expect(ids.count == 1, "\(word) → \(ids.map { full.tokenText($0) })")
        }
        #expect(full.encode("¿Dónde?").map { full.tokenText($0) } == ["¿", "Dónde", "?"], "punctuation is its own word")
        #expect(full.encode("The cat sat").map { full.tokenText($0) } == ["The", " cat", " sat"])
        #expect(full.encode("The dog sat.\n").map { full.tokenText($0) } == ["The", " dog", " sat", ".", "\n"])
    }

    @Test("Codable round trip preserves merges and encodings")
    func codable() throws {
        let data = try JSONEncoder().encode(trained)
        let json = String(decoding: data, as: UTF8.self)
        #expect(json.contains("\"merges\""))
        #expect(json.contains("\"<bos>\""))
        let restored = try JSONDecoder().decode(BPETokenizer.self, from: data)
        #expect(restored == trained)
        for text in roundTripTexts + corpus.prefix(10) { #expect(restored.encode(text) == trained.encode(text)) }
    }

    @Test("bad settings and corrupt files throw clear errors")
    func errors() throws {
        #expect(throws: BPEError.vocabSizeTooSmall(requested: 259, minimum: 260)) {
            try BPETokenizer.train(texts: corpus, vocabSize: 259)
        }
        #expect(BPEError.vocabSizeTooSmall(requested: 100, minimum: 260).description.contains("260"))
        #expect(throws: BPEError.invalidMinFrequency(0)) { try BPETokenizer.train(texts: corpus, minFrequency: 0) }
        let bad = #"{"format":"attend-bpe-1","specialTokens":["<pad>","<bos>","<eos>","<unk>"],"merges":[[4,261]]}"#
        #expect(throws: BPEError.self) { try JSONDecoder().decode(BPETokenizer.self, from: Data(bad.utf8)) }
        let wrongSpecials = #"{"format":"attend-bpe-1","specialTokens":["<s>"],"merges":[]}"#
        #expect(throws: BPEError.self) { try JSONDecoder().decode(BPETokenizer.self, from: Data(wrongSpecials.utf8)) }
    }
}
