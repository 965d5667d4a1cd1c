import Foundation

/// Errors reading or writing tensor files; each names the file, says what is wrong and what to do.
public enum TensorFileError: Error, CustomStringConvertible, Equatable {
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// The bytes are not a valid safetensors file.
    case corrupt(path: String, reason: String)
    /// A sharded checkpoint's `model.safetensors.index.json` is malformed or disagrees with its shards.
    case corruptIndex(path: String, reason: String)
    /// A valid file with a tensor type Attend does not read.
    case unsupported(path: String, reason: String)

    /// One line: the file, what is wrong, what to do.
    public var description: String {
        switch self {
        case let .unreadable(path, reason): return "cannot read \(path): \(reason)"
        case let .corrupt(path, reason):
            return "\(path) is not a valid safetensors file (\(reason)); it may be truncated or damaged — use another checkpoint or retrain"
        case let .corruptIndex(path, reason):
            return "\(path) is not a valid safetensors index (\(reason)); restore the folder's index and shards as published, or load a single .safetensors file"
        case let .unsupported(path, reason):
            return "\(path) cannot be read: \(reason); Attend reads F32, F16 and BF16 tensors — convert the others (e.g. in PyTorch with `tensor.float()`) and save again"
        }
    }
}

/// Reads and writes the safetensors format (Hugging Face): an 8-byte little-endian header length N,
/// N bytes of JSON header `{name: {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__": {...}}`,
/// then the raw little-endian tensor bytes (offsets relative to the end of the header).
///
/// Writing is F32. Reading takes F32, F16 and BF16 (widened exactly to Float) and validates the header
/// before touching any data: the length within the file and at most `maxHeaderBytes`, a JSON object,
/// known dtypes, shape × element size = byte span, spans inside the data section and not overlapping,
/// `__metadata__` string → string. Files are memory-mapped, so only the tensors' own storage is allocated.
/// Sharded checkpoints (`model.safetensors.index.json` + shards) are read with `readFolder`.
public enum Safetensors {
    /// The largest header accepted (the reference implementation's limit, 100 MB).
    public static let maxHeaderBytes = 100_000_000

    /// The tensor element types read; each is widened to Float.
    public enum DType: String, CaseIterable, Sendable {
        /// IEEE binary32.
        case float32 = "F32"
        /// IEEE binary16 (half precision).
        case float16 = "F16"
        /// bfloat16: the top 16 bits of a binary32.
        case bfloat16 = "BF16"

        /// Bytes per element.
        public var size: Int { self == .float32 ? 4 : 2 }
    }

    /// Serialises named tensors (sorted by name) with string metadata.
    public static func encode(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:]) throws -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        let sorted = tensors.sorted { $0.name < $1.name }
        for (name, t) in sorted {
            let bytes = t.count * 4
            header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while (json.count + 8) % 8 != 0 { json.append(0x20) }  // pad with spaces so data is aligned
        var data = Data(capacity: 8 + json.count + offset)
        var n = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &n) { data.append(contentsOf: $0) }
        data.append(json)
        for (_, t) in sorted {
            data.append(UnsafeBufferPointer(start: t.pointer, count: t.count))
        }
        return data
    }

    /// Parses a safetensors file's bytes into tensors (widened to Float) and metadata; `path` names the
    /// source in errors.
    public static func decode(_ data: Data, path: String = "<memory>") throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        try data.withUnsafeBytes { try decode(bytes: $0, path: path) }
    }

    /// One tensor's header entry, validated.
    struct Entry {
        let name: String
        let dtype: DType
        let shape: [Int]
        let begin: Int
        let end: Int
    }

    /// Validates the header of `bytes` and returns its entries, the data section's start and the metadata.
    static func header(of bytes: UnsafeRawBufferPointer, path: String) throws -> (entries: [Entry], dataStart: Int, metadata: [String: String]) {
        func corrupt(_ reason: String) -> TensorFileError { .corrupt(path: path, reason: reason) }
        guard bytes.count >= 8 else { throw corrupt("only \(bytes.count) bytes; a safetensors file starts with an 8-byte header length") }
        let declared = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard declared <= UInt64(bytes.count - 8) else {
            throw corrupt("header length \(declared) exceeds the \(bytes.count - 8) bytes after the length field (file truncated?)")
        }
        guard declared <= UInt64(maxHeaderBytes) else { throw corrupt("header length \(declared) is above the limit of \(maxHeaderBytes) bytes") }
        guard declared >= 2 else { throw corrupt("header length \(declared) is too short for a JSON object") }
        let dataStart = 8 + Int(declared)
        let headerBytes = UnsafeRawBufferPointer(rebasing: bytes[8..<dataStart])
        guard headerBytes.first == UInt8(ascii: "{") else { throw corrupt("the header does not start with '{'") }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: Data(headerBytes)) }
        catch { throw corrupt("the header is not valid JSON") }
        guard let header = object as? [String: Any] else { throw corrupt("the header is not a JSON object") }

        let dataLength = bytes.count - dataStart
        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        for (name, value) in header {
            if name == "__metadata__" {
                guard let map = value as? [String: Any] else { throw corrupt("__metadata__ is not an object") }
                for (key, v) in map {
                    guard let s = v as? String else { throw corrupt("__metadata__ value of \(String(reflecting: key)) is not a string") }
                    metadata[key] = s
                }
                continue
            }
            guard let entry = value as? [String: Any] else { throw corrupt("the entry of \(String(reflecting: name)) is not an object") }
            guard let dtypeName = entry["dtype"] as? String else { throw corrupt("\(name) has no dtype string") }
            guard let dtype = DType(rawValue: dtypeName) else {
                throw TensorFileError.unsupported(path: path, reason: "tensor \(name) has dtype \(String(reflecting: dtypeName))")
            }
            guard let shapeValues = entry["shape"] as? [Any], let offsetValues = entry["data_offsets"] as? [Any] else {
                throw corrupt("\(name) lacks a shape or data_offsets array")
            }
            let shape = try shapeValues.map { v -> Int in
                guard let n = exactInt(v), n >= 0 else { throw corrupt("\(name) has a shape entry that is not a non-negative integer") }
                return n
            }
            let offsets = try offsetValues.map { v -> Int in
                guard let n = exactInt(v), n >= 0 else { throw corrupt("\(name) has a data offset that is not a non-negative integer") }
                return n
            }
            guard offsets.count == 2, offsets[0] <= offsets[1] else { throw corrupt("\(name) data_offsets must be [begin, end] with begin ≤ end") }
            var bytesNeeded = dtype.size
            for n in shape {
                let (product, overflow) = bytesNeeded.multipliedReportingOverflow(by: n)
                guard !overflow else { throw corrupt("\(name) has a shape \(shape) too large to address") }
                bytesNeeded = product
            }
            guard offsets[1] - offsets[0] == bytesNeeded else {
                throw corrupt("\(name) has shape \(shape) of \(dtypeName) (\(bytesNeeded) bytes) but spans \(offsets[1] - offsets[0]) bytes")
            }
            guard offsets[1] <= dataLength else {
                throw corrupt("\(name) ends at byte \(offsets[1]) of a data section of \(dataLength) bytes (file truncated?)")
            }
            entries.append(Entry(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1]))
        }
        let bySpan = entries.sorted { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        for (a, b) in zip(bySpan, bySpan.dropFirst()) where b.begin < a.end {
            throw corrupt("the data of \(a.name) and \(b.name) overlap")
        }
        return (entries, dataStart, metadata)
    }

    /// An integer from a JSON number only when it is one exactly (no fractions, no overflow).
    private static func exactInt(_ value: Any) -> Int? {
        guard let number = value as? NSNumber else { return nil }
        let d = number.doubleValue
        guard d.isFinite, d.rounded() == d, abs(d) < 9.0e15 else { return nil }
        return number.intValue
    }

    /// Parses the bytes of a safetensors file (validated before any tensor is allocated).
    public static func decode(bytes: UnsafeRawBufferPointer, path: String) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        let (entries, dataStart, metadata) = try header(of: bytes, path: path)
        var tensors: [String: Tensor] = [:]
        for e in entries {
            let t = Tensor(uninitializedShape: e.shape)
            widen(bytes.baseAddress! + dataStart + e.begin, dtype: e.dtype, count: t.count, into: t.pointer)
            tensors[e.name] = t
        }
        return (tensors, metadata)
    }

    /// Converts `count` little-endian elements of `dtype` at `source` (any alignment) to Float, exactly.
    public static func widen(_ source: UnsafeRawPointer, dtype: DType, count: Int, into out: UnsafeMutablePointer<Float>) {
        switch dtype {
        case .float32:
            for i in 0..<count { out[i] = Float(bitPattern: UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        case .bfloat16:
            for i in 0..<count {
                out[i] = Float(bitPattern: UInt32(UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16)
            }
        case .float16:
            for i in 0..<count { out[i] = float(half: UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
        }
    }

    /// The Float of an IEEE binary16 bit pattern (exact: every half is a float; subnormals normalised,
    /// infinities and NaNs kept, the NaN payload shifted into the top of the float's).
    public static func float(half h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = UInt32(h >> 10) & 0x1F
        var mantissa = UInt32(h & 0x3FF)
        if exponent == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13) }
        if exponent == 0 {
            guard mantissa != 0 else { return Float(bitPattern: sign) }
            var e: UInt32 = 113  // 127 − 15 + 1: the exponent of the smallest normal half
            while mantissa & 0x400 == 0 { mantissa <<= 1; e -= 1 }
            return Float(bitPattern: sign | e << 23 | (mantissa & 0x3FF) << 13)
        }
        return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
    }

    /// Writes a safetensors file (F32) atomically.
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:], to url: URL) throws {
        try AtomicFile.write(try encode(tensors, metadata: metadata), to: url)
    }

    /// Reads a safetensors file, memory-mapped: the file's bytes are paged in as the tensors are widened,
    /// never copied whole.
    public static func read(_ url: URL) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        let file = try MappedFile(path: url.path)
        return try decode(bytes: file.bytes, path: url.path)
    }

    /// The name of a sharded checkpoint's index file.
    public static let indexFileName = "model.safetensors.index.json"

    /// Reads a folder's weights: the shards listed by `model.safetensors.index.json` (Hugging Face's
    /// `{"metadata": {...}, "weight_map": {tensor: shard file}}`) when present, else `model.safetensors`.
    /// Every tensor must be in the shard the index names, and each only once; the metadata is the union
    /// of the shards' `__metadata__`.
    public static func readFolder(_ folder: URL) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        let index = folder.appendingPathComponent(indexFileName)
        guard FileManager.default.fileExists(atPath: index.path) else {
            return try read(folder.appendingPathComponent("model.safetensors"))
        }
        func corrupt(_ reason: String) -> TensorFileError {
            .corruptIndex(path: index.path, reason: reason)
        }
        guard let data = FileManager.default.contents(atPath: index.path) else {
            throw TensorFileError.unreadable(path: index.path, reason: "file missing or unreadable")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data), let root = object as? [String: Any] else {
            throw corrupt("the index is not a JSON object")
        }
        guard let map = root["weight_map"] as? [String: Any] else { throw corrupt("the index has no weight_map object") }
        var shardOf: [String: String] = [:]
        for (name, value) in map {
            guard let shard = value as? String, !shard.isEmpty, !shard.contains("/"), shard != "..", shard != "." else {
                throw corrupt("weight_map entry \(String(reflecting: name)) is not a file name in the folder")
            }
            shardOf[name] = shard
        }
        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        for shard in Set(shardOf.values).sorted() {
            let url = folder.appendingPathComponent(shard)
            let wanted = Set(shardOf.filter { $0.value == shard }.keys)
            let (part, meta) = try read(url)
            for name in wanted where part[name] == nil {
                throw corrupt("weight_map puts \(name) in \(shard), which does not hold it")
            }
            for (name, t) in part {
                guard let owner = shardOf[name] else { throw corrupt("\(shard) holds \(name), which weight_map does not list") }
                guard owner == shard else { throw corrupt("\(name) is in \(shard) but weight_map puts it in \(owner)") }
                tensors[name] = t
            }
            metadata.merge(meta) { first, _ in first }
        }
        return (tensors, metadata)
    }
}

/// A read-only memory mapping of a whole file (unmapped when released).
final class MappedFile {
    /// The file's bytes.
    let bytes: UnsafeRawBufferPointer

    /// Maps the file at `path`; throws `TensorFileError.unreadable` naming it when it cannot be opened or mapped.
    init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw TensorFileError.unreadable(path: path, reason: "file missing or unreadable") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw TensorFileError.unreadable(path: path, reason: "not a regular file")
        }
        let size = Int(info.st_size)
        guard size > 0 else { bytes = UnsafeRawBufferPointer(start: nil, count: 0); return }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw TensorFileError.unreadable(path: path, reason: "cannot map the file into memory (errno \(errno))")
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }
}
