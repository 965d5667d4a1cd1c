import AttendData
import Foundation
import Testing

/// Tests/Fixtures/tokenizers, written by scripts/tokenizer_roundtrip.py --fixtures: tokenizer.json files
/// written by Attend, the same files re-saved by the Python `tokenizers` package, and the ids that package
/// gives for probe sentences (whitespace runs, CR LF, digits, marks, emoji, CJK, Tatoeba lines).
let tokenizerFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/tokenizers")

private struct ExpectedIDs: Decodable {
    let texts: [String]
    let bpe: [String: [Int32]]
    let characters: [String: [Int32]]
    let charactersRefused: [String]
}

private func fixture(_ name: String) throws -> HuggingFaceTokenizer {
    try HuggingFaceTokenizer.read(tokenizerFixtures.appendingPathComponent(name))
}

/// A fixture's JSON object with `edit` applied, as bytes.
private func edited(_ name: String, _ edit: (inout [String: Any]) -> Void) throws -> Data {
    let data = try Data(contentsOf: tokenizerFixtures.appendingPathComponent(name))
    var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    edit(&object)
    return try JSONSerialization.data(withJSONObject: object)
}

@Suite("Hugging Face tokenizer.json")
struct HuggingFaceTokenizerTests {
    private let expected: ExpectedIDs = {
        let data = FileManager.default.contents(atPath: tokenizerFixtures.appendingPathComponent("expected.json").path) ?? Data()
        return (try? JSONDecoder().decode(ExpectedIDs.self, from: data)) ?? ExpectedIDs(texts: [], bpe: [:], characters: [:], charactersRefused: [])
    }()

    @Test("the BPE fixture, as Attend wrote it and as the tokenizers package re-saved it, gives that package's ids and decodes losslessly")
    func bytePairs() throws {
        let written = try fixture("bpe.tokenizer.json"), resaved = try fixture("bpe.saved-by-tokenizers.json")
        #expect(written == resaved)
        guard case let .bytePairs(bpe) = written else { Issue.record("not a BPE: \(written)"); return }
        #expect(bpe.vocabSize == 400)
        #expect(expected.bpe.count >= 20)
        for (text, ids) in expected.bpe {
            #expect(bpe.encode(text) == ids, "\(String(reflecting: text))")
            #expect(bpe.decode(ids) == text)
        }
        // Writing and reading again gives the same tokenizer; the vocabulary is written in id order, so one
        // tokenizer gives one file.
        let json = try written.json()
        #expect(try HuggingFaceTokenizer(json: json) == written)
        let text = String(decoding: json, as: UTF8.self)
        let positions = ["\"<pad>\": 0", "\"<unk>\": 3", "\"\u{100}\": 4", "\"\u{120}\": 36", "\"\u{A2}\": 166"].map { text.range(of: $0)?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil } && positions.map { $0! } == positions.map { $0! }.sorted(), "\(positions)")
        #expect(json == (try HuggingFaceTokenizer(json: json).json()))
    }

    @Test("the character fixture gives the tokenizers package's ids; texts it refuses for an unknown character Attend refuses too")
    func characters() throws {
        let written = try fixture("characters.tokenizer.json"), resaved = try fixture("characters.saved-by-tokenizers.json")
        #expect(written == resaved)
        guard case let .characters(chars) = written else { Issue.record("not a character vocabulary"); return }
        #expect(expected.characters.count >= 20 && !expected.charactersRefused.isEmpty)
        for (text, ids) in expected.characters { #expect(try chars.encode(text) == ids, "\(String(reflecting: text))") }
        for text in expected.charactersRefused { #expect(throws: DataError.self) { try chars.encode(text) } }
        #expect(try HuggingFaceTokenizer(json: try written.json()) == written)
    }

    @Test("a character vocabulary is written in NFC with an NFC normalizer, so canonically equal spellings share an id in both tools")
    func canonicalEquivalence() throws {
        let decomposed = CharTokenizer(text: "cafe\u{301} x")
        let json = try HuggingFaceTokenizer.characters(decomposed).json()
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let vocab = try #require((object["model"] as? [String: Any])?["vocab"] as? [String: Int])
        #expect(vocab["\u{e9}"] != nil && vocab.count == decomposed.vocabSize)
        #expect((object["normalizer"] as? [String: Any])?["type"] as? String == "NFC")
        guard case let .characters(back) = try HuggingFaceTokenizer(json: json) else { Issue.record("not characters"); return }
        #expect(try back.encode("caf\u{e9}") == (try decomposed.encode("cafe\u{301}")))
    }

    @Test("the word-split pattern and the byte alphabet are GPT-2's where Attend follows GPT-2")
    func constants() {
        #expect(HuggingFaceTokenizer.byteCharacters[32] == "\u{120}")  // Ġ: the space
        #expect(HuggingFaceTokenizer.byteCharacters[10] == "\u{10A}")  // Ċ: the line feed
        #expect(HuggingFaceTokenizer.byteCharacters[65] == "A" && Set(HuggingFaceTokenizer.byteCharacters).count == 256)
        #expect(HuggingFaceTokenizer.wordPattern.hasPrefix(#" ?[\p{L}\p{M}]+| ?\p{N}+| ?[^\t-\r \x{85}"#))
    }

    @Test("files whose settings would change the ids are refused with an error naming the file and the setting")
    func refusals() throws {
        let path = "/fixtures/tokenizer.json"
        let cases: [(Data, String)] = [
            (Data("not json".utf8), "not a JSON object"),
            (try edited("bpe.tokenizer.json") { $0["normalizer"] = ["type": "Lowercase"] }, "it has a normalizer (Lowercase)"),
            (try edited("bpe.tokenizer.json") { o in var m = o["model"] as! [String: Any]; m["dropout"] = 0.1; o["model"] = m }, "BPE dropout is set"),
            (try edited("bpe.tokenizer.json") { o in var m = o["model"] as! [String: Any]; m["type"] = "Unigram"; o["model"] = m }, "model type Unigram"),
            (try edited("bpe.tokenizer.json") { o in
                var m = o["model"] as! [String: Any]; m["merges"] = (m["merges"] as! [Any]).dropLast().map { $0 }; o["model"] = m
            }, "139 merges for 140 tokens"),
            (try edited("bpe.tokenizer.json") { o in
                var m = o["model"] as! [String: Any]; var merges = m["merges"] as! [Any]; merges.swapAt(0, 1); m["merges"] = merges; o["model"] = m
            }, "merge 0 must make token 260"),
            (try edited("bpe.tokenizer.json") { $0["pre_tokenizer"] = ["type": "ByteLevel", "add_prefix_space": true, "use_regex": true] }, "the pre-tokenizer is not Attend's word split"),
            (try edited("bpe.tokenizer.json") { $0["post_processor"] = ["type": "ByteLevel"] }, "post-processor"),
            (try edited("characters.tokenizer.json") { $0["pre_tokenizer"] = ["type": "Whitespace"] }, "needs the pre-tokenizer Split on \\X"),
            (try edited("characters.tokenizer.json") { o in
                var m = o["model"] as! [String: Any]; var v = m["vocab"] as! [String: Any]; v["ab"] = v.count; m["vocab"] = v; o["model"] = m
            }, "vocabulary entry \"ab\" is not one character"),
            (try edited("characters.tokenizer.json") { o in
                var m = o["model"] as! [String: Any]; var v = m["vocab"] as! [String: Any]; v["Q"] = 500; m["vocab"] = v; o["model"] = m
            }, "vocabulary ids are not 0..<"),
        ]
        for (data, words) in cases {
            do {
                _ = try HuggingFaceTokenizer(json: data, path: path)
                Issue.record("accepted; expected \(words)")
            } catch let error as TokenizerFileError {
                #expect(error.description.contains(path) && error.description.contains(words), "\(error)")
            }
        }
        #expect(throws: TokenizerFileError.unreadable(path: "/nonexistent/tokenizer.json")) {
            try HuggingFaceTokenizer.read(URL(fileURLWithPath: "/nonexistent/tokenizer.json"))
        }
    }

    @Test("a BPE in which two merges spell the same bytes cannot be written (tokenizer.json gives a string one id)")
    func notRepresentable() throws {
        let a: Int32 = 4 + 97, b: Int32 = 4 + 98, c: Int32 = 4 + 99
        // 260 = ab, 261 = abc (ab + c), 262 = bc, 263 = abc again (a + bc).
        let bpe = try BPETokenizer(merges: [.init(left: a, right: b), .init(left: 260, right: c), .init(left: b, right: c), .init(left: a, right: 262)])
        #expect(throws: TokenizerFileError.notRepresentable(reason: "token 263 spells \"abc\" like token 261; a tokenizer.json vocabulary gives each string one id")) {
            try HuggingFaceTokenizer.bytePairs(bpe).json()
        }
    }
}
