import Attend
import AttendTestSupport
import Foundation
import PropertyBased
import Testing

@Suite("Fuzzed tokenizer.json loader")
struct TokenizerFuzzTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tokenizers")
    static let names = ["bpe.tokenizer.json", "characters.tokenizer.json", "bpe.saved-by-tokenizers.json"]
    static let values = ["-1", "0", "3", "259", "260", "399", "400", "1e300", "2.5", "4294967296", "null", "\"x\"", "[]", "{}"]

    /// Loads `bytes` as tokenizer.json: a tokenizer that encodes a probe sentence, or a typed error naming the file.
    private func check(_ bytes: Data, path: String, _ what: String) {
        do {
            let t = try HuggingFaceTokenizer(json: bytes, path: path)
            _ = try? t.encode("¿Dónde está el baño? 42 times\r\n")
        } catch let error as TokenizerFileError {
            #expect(error.description.contains(path), "\(what): \(error)")
        } catch {
            Issue.record("\(what): untyped error \(error)")
        }
    }

    @Test("a mutated tokenizer.json (truncated, bit-flipped, overwritten, invalid UTF-8) loads or is refused with a typed error naming the file")
    func mutatedBytes() async throws {
        let files = Self.names.compactMap { FileManager.default.contents(atPath: Self.fixtures.appendingPathComponent($0).path) }
        #expect(files.count == 3)
        await propertyCheck(count: 300, input: Mutation.generator, Gen.int(in: 0...2)) { mutation, which in
            check(mutation.apply(to: files[which]), path: "/fuzz/\(Self.names[which])", "\(mutation) of \(Self.names[which])")
        }
    }

    @Test("a tokenizer.json with one number replaced (ids, merges' targets, huge or fractional values, wrong types) is refused or loads, never crashes")
    func editedNumbers() async throws {
        let texts = Self.names.compactMap { FileManager.default.contents(atPath: Self.fixtures.appendingPathComponent($0).path) }
            .map { String(decoding: $0, as: UTF8.self) }
        let number = try Regex("-?[0-9]+")
        await propertyCheck(count: 300, input: Gen.int(in: 0...2), Gen.int(in: 0...5000), Gen.int(in: 0...(Self.values.count - 1))) { which, n, v in
            var text = texts[which]
            let found = text.ranges(of: number)
            guard !found.isEmpty else { return }
            text.replaceSubrange(found[n % found.count], with: Self.values[v])
            check(Data(text.utf8), path: "/fuzz/\(Self.names[which])", "number \(n % found.count) → \(Self.values[v]) in \(Self.names[which])")
        }
    }
}
