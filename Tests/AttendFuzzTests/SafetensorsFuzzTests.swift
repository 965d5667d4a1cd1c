import Attend
import AttendTestSupport
import Foundation
import PropertyBased
import Testing

/// Header edits a hand-made attacker would try: a number replaced by a huge or negative one, a dtype
/// or shape swapped, the length field rewritten.
enum HeaderEdit: CustomStringConvertible, Sendable {
    /// Replace the `n`-th number in the header by `value`.
    case number(n: Int, value: Int64)
    /// Replace the `n`-th dtype by `dtype`.
    case dtype(n: Int, dtype: String)
    /// Overwrite the 8-byte length field.
    case length(UInt64)

    var description: String {
        switch self {
        case let .number(n, v): return "number \(n) → \(v)"
        case let .dtype(n, d): return "dtype \(n) → \(d)"
        case let .length(l): return "header length → \(l)"
        }
    }

    static let dtypes = ["F32", "F16", "BF16", "F64", "I8", "U8", "BOOL", "", "f32", "F8_E4M3"]
    static let values: [Int64] = [0, 1, 2, 3, 4, 7, 8, 1 << 20, 1 << 31, 1 << 40, 1 << 62, Int64.max, -1, -8]

    func apply(to data: Data) -> Data {
        guard data.count >= 8 else { return data }
        let declared = data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }.littleEndian
        guard declared <= UInt64(data.count - 8) else { return data }  // an earlier edit broke the length: nothing to parse
        let length = Int(declared)
        var header = String(decoding: data[8..<(8 + length)], as: UTF8.self)
        let body = data[(8 + length)...]
        switch self {
        case let .length(l):
            var d = data
            withUnsafeBytes(of: l.littleEndian) { d.replaceSubrange(0..<8, with: $0) }
            return d
        case let .number(n, value):
            let numbers = header.ranges(of: try! Regex("[0-9]+"))
            guard !numbers.isEmpty else { return data }
            header.replaceSubrange(numbers[n % numbers.count], with: "\(value)")
        case let .dtype(n, dtype):
            let found = header.ranges(of: try! Regex("\"(F32|F16|BF16)\""))
            guard !found.isEmpty else { return data }
            header.replaceSubrange(found[n % found.count], with: "\"\(dtype)\"")
        }
        var out = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(Data(header.utf8))
        out.append(contentsOf: body)
        return out
    }

    static var generator: Generator<HeaderEdit, some Sequence> {
        zip(Gen.int(in: 0...2), Gen.int(in: 0...64), Gen.int(in: 0...(values.count - 1)), Gen.int(in: 0...63)).map { t in
            let (kind, n, v, bits) = t
            switch kind {
            case 0: return HeaderEdit.number(n: n, value: values[v])
            case 1: return HeaderEdit.dtype(n: n, dtype: dtypes[n % dtypes.count])
            default: return HeaderEdit.length(UInt64(1) << UInt64(bits) &+ UInt64(v))
            }
        }
    }
}

@Suite("Fuzzed safetensors loader")
struct SafetensorsFuzzTests {
    /// Valid files: an F32 file Attend writes and the F16/BF16/F32 fixtures of the reference package.
    static var validFiles: [Data] {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/safetensors")
        var files = ["f32", "f16", "bf16"].compactMap { FileManager.default.contents(atPath: fixtures.appendingPathComponent("\($0).safetensors").path) }
        let a = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3]), b = Tensor([0.5], shape: [1])
        files.append((try? Safetensors.encode([("blocks.0.w", a), ("b", b)], metadata: ["format": "attend"])) ?? Data())
        return files
    }

    /// Reads `bytes` from a file and checks the outcome: tensors whose storage fits in the file, or a typed error naming it.
    private func check(_ bytes: Data, at url: URL, _ what: String) throws {
        try bytes.write(to: url)
        do {
            let (tensors, _) = try Safetensors.read(url)
            let elements = tensors.values.reduce(0) { $0 + $1.count }
            #expect(elements * 2 <= bytes.count, "\(what): \(elements) elements from \(bytes.count) bytes")
        } catch let error as TensorFileError {
            #expect(error.description.contains(url.path), "\(what): \(error)")
        }
    }

    @Test("a mutated safetensors file (truncated, bit-flipped, overwritten, invalid UTF-8) loads or is refused with a typed error naming the file")
    func mutatedBytes() async throws {
        let url = temporaryFolder("fuzz-st").appendingPathComponent("m.safetensors")
        let files = Self.validFiles
        #expect(files.count == 4)
        await propertyCheck(count: 300, input: Mutation.generator, Gen.int(in: 0...3)) { mutation, which in
            try check(mutation.apply(to: files[which]), at: url, "\(mutation) of file \(which)")
        }
    }

    @Test("huge or negative sizes and offsets, unknown dtypes and rewritten header lengths give a typed error, never a crash or a huge allocation")
    func editedHeaders() async throws {
        let url = temporaryFolder("fuzz-st-header").appendingPathComponent("h.safetensors")
        let files = Self.validFiles
        await propertyCheck(count: 300, input: HeaderEdit.generator, HeaderEdit.generator, Gen.int(in: 0...3)) { first, second, which in
            try check(second.apply(to: first.apply(to: files[which])), at: url, "\(first), \(second) of file \(which)")
        }
    }
}
