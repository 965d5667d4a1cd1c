import Foundation

/// A tokenised text file split as nanoGPT does: the first 90 % for training, the last 10 % for validation.
public struct TextDataset: Sendable {
    public let tokenizer: CharTokenizer
    public let train: [Int32]
    public let validation: [Int32]
    public let path: String

    /// Reads and tokenises `path` with a character vocabulary built from the whole file.
    public init(path: String, trainFraction: Double = 0.9) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw DataError.missingFile(path) }
        guard !data.isEmpty else { throw DataError.emptyFile(path) }
        let text = String(decoding: data, as: UTF8.self)
        try self.init(text: text, path: path, trainFraction: trainFraction)
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
    public enum Split: String, Sendable { case train, validation }

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
