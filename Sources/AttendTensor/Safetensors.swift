import Foundation

/// Errors reading or writing tensor files; messages say what is wrong and what to do.
public enum TensorFileError: Error, CustomStringConvertible, Equatable {
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// The bytes are not a valid safetensors file.
    case corrupt(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): return "cannot read \(path): \(reason)"
        case let .corrupt(path, reason):
            return "\(path) is not a valid safetensors file (\(reason)); it may be truncated or damaged — use another checkpoint or retrain"
        }
    }
}

/// Reads and writes the safetensors format (Hugging Face): an 8-byte little-endian header length,
/// a JSON header `{name: {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__": {...}}`,
/// then the raw little-endian tensor bytes. Only F32 is written or read.
public enum Safetensors {
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

    /// Parses a safetensors file's bytes into tensors and metadata.
    public static func decode(_ data: Data, path: String = "<memory>") throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        guard data.count >= 8 else { throw TensorFileError.corrupt(path: path, reason: "only \(data.count) bytes") }
        let headerLength = data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }.littleEndian
        guard headerLength <= UInt64(data.count - 8) else {
            throw TensorFileError.corrupt(path: path, reason: "header length \(headerLength) exceeds file size \(data.count)")
        }
        let start = 8 + Int(headerLength)
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<start)) }
        catch { throw TensorFileError.corrupt(path: path, reason: "header is not JSON") }
        guard let header = object as? [String: Any] else { throw TensorFileError.corrupt(path: path, reason: "header is not an object") }
        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                metadata = (value as? [String: String]) ?? [:]
                continue
            }
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2
            else { throw TensorFileError.corrupt(path: path, reason: "bad entry for \(name)") }
            guard dtype == "F32" else { throw TensorFileError.corrupt(path: path, reason: "\(name) has dtype \(dtype); only F32 is supported") }
            let count = shape.reduce(1, *)
            guard shape.allSatisfy({ $0 >= 0 }), offsets[1] - offsets[0] == count * 4, offsets[0] >= 0,
                  start + offsets[1] <= data.count
            else { throw TensorFileError.corrupt(path: path, reason: "\(name) data is out of bounds (file truncated?)") }
            let t = Tensor(uninitializedShape: shape)
            data.withUnsafeBytes { raw in
                let src = raw.baseAddress! + start + offsets[0]
                UnsafeMutableRawPointer(t.pointer).copyMemory(from: src, byteCount: count * 4)
            }
            tensors[name] = t
        }
        return (tensors, metadata)
    }

    /// Writes a safetensors file atomically.
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:], to url: URL) throws {
        try AtomicFile.write(try encode(tensors, metadata: metadata), to: url)
    }

    /// Reads a safetensors file.
    public static func read(_ url: URL) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        let data: Data
        do { data = try Data(contentsOf: url) }
        catch { throw TensorFileError.unreadable(path: url.path, reason: "file missing or unreadable") }
        return try decode(data, path: url.path)
    }
}
