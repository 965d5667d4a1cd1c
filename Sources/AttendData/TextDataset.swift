import Foundation

/// A tokenised text file split as nanoGPT does: the first 90 % for training, the last 10 % for validation.
public struct TextDataset: Sendable {
    /// The character (or byte) tokenizer whose vocabulary was built from the whole text.
    public let tokenizer: CharTokenizer
    /// Token ids of the training split: the first `trainFraction` of the text.
    public let train: [Int32]
    /// Token ids of the validation split: the rest of the text, after `train`.
    public let validation: [Int32]
    /// The file the text was read from (`"<text>"` for text given directly); named in error messages.
    public let path: String

    /// Reads and tokenises `path` with a vocabulary built from the whole file: its characters
    /// (`.text`; a file with invalid UTF-8 or a NUL byte is refused with `DataError.notText`, never
    /// silently repaired) or its bytes (`.bytes`).
    public init(path: String, format: DataFormat = .text, trainFraction: Double = 0.9) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw DataError.missingFile(path) }
        guard !data.isEmpty else { throw DataError.emptyFile(path) }
        switch format {
        case .text:
            let text = try Self.utf8Text(data, path: path)
            try self.init(text: text, path: path, trainFraction: trainFraction)
        case .bytes:
            let text = CharTokenizer.byteText(data)
            let present = Set(data).sorted().map(CharTokenizer.byteCharacter)
            try self.init(text: text, path: path, tokenizer: CharTokenizer(characters: present, bytes: true), trainFraction: trainFraction)
        }
    }

    /// `data` as a String when it is valid UTF-8 without NUL bytes (a NUL is the mark of a binary file).
    public static func utf8Text(_ data: Data, path: String) throws -> String {
        if let nul = data.firstIndex(of: 0) {
            throw DataError.notText(path: path, offset: nul - data.startIndex, reason: "a NUL byte, as in binary files")
        }
        if let text = String(validating: data, as: UTF8.self) { return text }
        let offset = firstInvalidUTF8(data) ?? 0
        let byte = data[data.startIndex + min(offset, data.count - 1)]
        throw DataError.notText(path: path, offset: offset, reason: String(format: "an invalid UTF-8 sequence starting with byte 0x%02X", byte))
    }

    /// Offset of the first byte that starts an invalid (or truncated, overlong, surrogate or
    /// out-of-range) UTF-8 sequence; nil when `data` is valid.
    static func firstInvalidUTF8(_ data: Data) -> Int? {
        let b = [UInt8](data)
        var i = 0
        while i < b.count {
            let c = b[i]
            let n: Int, low: UInt8, high: UInt8  // length, and the allowed range of the second byte
            switch c {
            case 0x00...0x7F: i += 1; continue
            case 0xC2...0xDF: (n, low, high) = (2, 0x80, 0xBF)
            case 0xE0: (n, low, high) = (3, 0xA0, 0xBF)
            case 0xED: (n, low, high) = (3, 0x80, 0x9F)
            case 0xE1...0xEF: (n, low, high) = (3, 0x80, 0xBF)
            case 0xF0: (n, low, high) = (4, 0x90, 0xBF)
            case 0xF4: (n, low, high) = (4, 0x80, 0x8F)
            case 0xF1...0xF3: (n, low, high) = (4, 0x80, 0xBF)
            default: return i
            }
            guard i + n <= b.count, (low...high).contains(b[i + 1]) else { return i }
            for k in 2..<max(n, 2) where !(0x80...0xBF).contains(b[i + k]) { return i }
            i += n
        }
        return nil
    }

    /// Tokenises `text` directly (for tests and in-memory data).
    public init(text: String, path: String = "<text>", tokenizer: CharTokenizer? = nil, trainFraction: Double = 0.9) throws {
        guard !text.isEmpty else { throw DataError.emptyFile(path) }
        let tok = tokenizer ?? CharTokenizer(text: text)
        let ids = try tok.encode(text)
        let n = Int(Double(ids.count) * trainFraction)
        self.tokenizer = tok
        self.train = Array(ids[..<n])
        self.validation = Array(ids[n...])
        self.path = path
    }

    /// Throws unless both splits can supply windows of `contextLength + 1` tokens.
    public func check(contextLength: Int) throws {
        let shortest = min(train.count, validation.count)
        if shortest < contextLength + 1 {
            throw DataError.tooShort(path: path, tokens: shortest, needed: contextLength + 1)
        }
    }

    /// Which split to draw from.
    public enum Split: String, Sendable { /** `train`: the first `trainFraction` of the text; `validation`: the rest. */ case train, validation }

    /// A random batch as nanoGPT's `get_batch`: `batchSize` windows starting at uniform offsets;
    /// inputs x[i..<i+T], targets x[i+1...i+T], both [batchSize·T] row-major.
    public func batch(_ split: Split, batchSize: Int, contextLength: Int,
                      rng: inout RandomGenerator) -> (inputs: [Int32], targets: [Int32]) {
        let data = split == .train ? train : validation
        var inputs = [Int32](), targets = [Int32]()
        inputs.reserveCapacity(batchSize * contextLength)
        targets.reserveCapacity(batchSize * contextLength)
        for _ in 0..<batchSize {
            let start = rng.nextInt(below: data.count - contextLength)
            inputs.append(contentsOf: data[start..<(start + contextLength)])
            targets.append(contentsOf: data[(start + 1)...(start + contextLength)])
        }
        return (inputs, targets)
    }
}

@_exported import struct AttendTensor.RandomGenerator
