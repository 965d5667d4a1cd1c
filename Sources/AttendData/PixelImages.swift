import Foundation

/// Images as pixel sequences for autoregressive modelling: the shipped 14×14 MNIST at 16 grey levels
/// (`Data/mnist14`, see its SOURCE.md). Token 16 starts every image; bits/dim = loss / ln 2.
public struct PixelImages: Sendable {
    /// Image side and grey levels of the shipped data.
    public static let side = 14, levels = 16
    /// Training images, 196 pixel values in 0…15 each.
    public let train: [[UInt8]]
    /// Test images.
    public let test: [[UInt8]]

    /// Grey levels plus the start token.
    public var vocabSize: Int { Self.levels + 1 }
    /// Pixels per image (the sequence length).
    public var length: Int { Self.side * Self.side }

    /// Reads `folder/train-6000.bin` and `folder/test-1000.bin` (98 bytes per image, two pixels per byte).
    public init(folder: URL) throws {
        func read(_ name: String) throws -> [[UInt8]] {
            let url = folder.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: url.path) else { throw DataError.missingFile(url.path) }
            let bytes = [UInt8](data), per = Self.side * Self.side / 2
            guard !bytes.isEmpty, bytes.count % per == 0 else {
                throw DataError.malformed(path: url.path, reason: "\(bytes.count) bytes is not a whole number of \(per)-byte images")
            }
            return stride(from: 0, to: bytes.count, by: per).map { start in
                var image = [UInt8](repeating: 0, count: 2 * per)
                for i in 0..<per {
                    image[2 * i] = bytes[start + i] >> 4
                    image[2 * i + 1] = bytes[start + i] & 15
                }
                return image
            }
        }
        train = try read("train-6000.bin")
        test = try read("test-1000.bin")
    }

    /// Images given directly (each `side · side` grey levels in 0…15): tests and generated data.
    public init(train: [[UInt8]], test: [[UInt8]]) {
        precondition((train + test).allSatisfy { $0.count == Self.side * Self.side && $0.allSatisfy { $0 < Self.levels } },
                     "every image must hold \(Self.side)×\(Self.side) levels below \(Self.levels)")
        self.train = train
        self.test = test
    }

    /// Sequences of `images` (indices into `split`): input [start, p0 … p194], target [p0 … p195].
    public func batch(_ images: [Int], from split: [[UInt8]]) -> SequenceBatch {
        let t = length
        var inputs = [Int32](), targets = [Int32]()
        for i in images {
            let px = split[i].map(Int32.init)
            inputs.append(Int32(Self.levels)); inputs.append(contentsOf: px[0..<(t - 1)])
            targets.append(contentsOf: px)
        }
        return SequenceBatch(inputs: inputs, targets: targets, batch: images.count, length: t)
    }
}
