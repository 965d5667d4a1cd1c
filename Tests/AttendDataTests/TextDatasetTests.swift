import AttendData
import AttendTestSupport
import Foundation
import Testing

@Suite("Text data files: UTF-8 text or bytes")
struct TextDatasetTests {
    func file(_ bytes: [UInt8], _ name: String) throws -> String {
        let url = temporaryFolder("textdataset").appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    @Test("invalid UTF-8 is refused with the offset and the byte of the first bad sequence", arguments: [
        ([0x61, 0x62, 0xFF, 0x63] as [UInt8], 2, "0xFF"),          // a byte that never starts a sequence
        ([0x61, 0xC3], 1, "0xC3"),                                  // truncated two-byte sequence at the end
        ([0x61, 0xE2, 0x82, 0x61], 1, "0xE2"),                      // three-byte sequence cut short
        ([0x61, 0x62, 0x63, 0xC0, 0xAF], 3, "0xC0"),                // overlong encoding of "/"
        ([0xED, 0xA0, 0x80], 0, "0xED"),                            // UTF-16 surrogate
        ([0x61, 0xF4, 0x90, 0x80, 0x80], 1, "0xF4"),               // beyond U+10FFFF
    ])
    func invalidUTF8(bytes: [UInt8], offset: Int, byte: String) throws {
        let path = try file(bytes, "bad.txt")
        #expect(throws: DataError.notText(path: path, offset: offset, reason: "an invalid UTF-8 sequence starting with byte \(byte)")) {
            try TextDataset(path: path)
        }
    }

    @Test("a NUL byte marks a binary file; the message says to convert or pass --bytes")
    func binary() throws {
        let path = try file(Array("ELF".utf8) + [0, 1, 2] + Array("text".utf8), "bin")
        do {
            _ = try TextDataset(path: path)
            Issue.record("a binary file was accepted")
        } catch let error as DataError {
            #expect(error == .notText(path: path, offset: 3, reason: "a NUL byte, as in binary files"))
            #expect(error.description.contains("--bytes") && error.description.contains(path))
        }
    }

    @Test("valid multi-byte UTF-8 reads as text, one token per character")
    func validText() throws {
        let text = "añ€😀\n" + String(repeating: "ab", count: 20)
        let d = try TextDataset(path: try file(Array(text.utf8), "ok.txt"))
        #expect(d.train.count + d.validation.count == text.count)
        #expect(d.tokenizer.characters.contains("😀") && !d.tokenizer.bytes)
    }

    @Test("--bytes: one token per byte (CR LF stays two tokens), and the tokens decode to the file's exact bytes")
    func bytes() throws {
        var raw: [UInt8] = [0, 255, 13, 10, 0xC3, 0x28, 0x80]
        for i in 0..<200 { raw.append(UInt8(truncatingIfNeeded: i &* 37)) }
        let d = try TextDataset(path: try file(raw, "any.bin"), format: .bytes)
        #expect(d.tokenizer.bytes)
        #expect(d.train.count + d.validation.count == raw.count)
        #expect(d.tokenizer.vocabSize == Set(raw).count)
        #expect(d.tokenizer.decodedData(d.train + d.validation) == Data(raw))
        // The tokenizer survives its JSON form (checkpoints store it).
        let back = try JSONDecoder().decode(CharTokenizer.self, from: JSONEncoder().encode(d.tokenizer))
        #expect(back == d.tokenizer && back.bytes)
        // A text tokenizer's JSON has no "bytes" key (old checkpoints read the same).
        let text = String(decoding: try JSONEncoder().encode(CharTokenizer(text: "ab")), as: UTF8.self)
        #expect(!text.contains("bytes"))
    }
}
