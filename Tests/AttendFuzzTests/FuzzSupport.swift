import Foundation
import PropertyBased

/// Ways of damaging a valid file: each fuzz test applies them to a file the loader accepts and
/// checks that the loader answers with a typed error (or, for a harmless change, a value) — never
/// a crash, a hang or an unbounded allocation.
enum Mutation: CustomStringConvertible, Sendable {
    /// Keep only the first `n` bytes.
    case truncate(Int)
    /// Flip bit `bit` of byte `index`.
    case flip(index: Int, bit: Int)
    /// Overwrite bytes from `index` with `bytes`.
    case overwrite(index: Int, bytes: [UInt8])
    /// Insert invalid UTF-8 (a lone continuation byte and an overlong encoding) at `index`.
    case invalidUTF8(index: Int)

    var description: String {
        switch self {
        case let .truncate(n): return "truncate to \(n) bytes"
        case let .flip(i, b): return "flip bit \(b) of byte \(i)"
        case let .overwrite(i, bytes): return "overwrite at \(i) with \(bytes)"
        case let .invalidUTF8(i): return "invalid UTF-8 at \(i)"
        }
    }

    func apply(to data: Data) -> Data {
        var bytes = [UInt8](data)
        guard !bytes.isEmpty else { return data }
        switch self {
        case let .truncate(n): bytes = Array(bytes.prefix(n % (bytes.count + 1)))
        case let .flip(i, b): bytes[i % bytes.count] ^= UInt8(1) << (b % 8)
        case let .overwrite(i, new):
            let start = i % bytes.count
            for (k, v) in new.enumerated() where start + k < bytes.count { bytes[start + k] = v }
        case let .invalidUTF8(i): bytes.insert(contentsOf: [0x80, 0xC0, 0xAF], at: i % (bytes.count + 1))
        }
        return Data(bytes)
    }

    /// A generator of mutations (positions are taken modulo the file's size).
    static var generator: Generator<Mutation, some Sequence> {
        zip(Gen.int(in: 0...3), Gen.int(in: 0...(1 << 24)), Gen.int(in: 0...255).array(of: 1...8)).map { t in
            let (kind, position, values) = t
            switch kind {
            case 0: return Mutation.truncate(position)
            case 1: return Mutation.flip(index: position, bit: values[0] % 8)
            case 2: return Mutation.overwrite(index: position, bytes: values.map { UInt8($0) })
            default: return Mutation.invalidUTF8(index: position)
            }
        }
    }
}
