import AttendTensor
import AttendTestSupport
import Foundation
import Testing

/// Tests/Fixtures/safetensors, written by scripts/make_safetensors_fixtures.py with the reference
/// `safetensors` package and PyTorch.
let safetensorsFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/safetensors")

/// expected.json: per fixture, per tensor, the shape and the float32 bit patterns of its widened values.
private struct ExpectedTensor: Decodable { let shape: [Int]; let bits: [UInt32] }
private let expected: [String: [String: ExpectedTensor]] = {
    let data = FileManager.default.contents(atPath: safetensorsFixtures.appendingPathComponent("expected.json").path) ?? Data()
    return (try? JSONDecoder().decode([String: [String: ExpectedTensor]].self, from: data)) ?? [:]
}()

/// A safetensors file from a header string and data bytes (the length field computed).
func safetensorsBytes(header: String, data: [UInt8] = []) -> Data {
    var out = Data()
    var n = UInt64(header.utf8.count).littleEndian
    withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
    out.append(Data(header.utf8))
    out.append(contentsOf: data)
    return out
}

@Suite("Safetensors")
struct SafetensorsTests {
    private func check(_ tensors: [String: Tensor], against fixture: String) throws {
        let want = try #require(expected[fixture], "expected.json lacks \(fixture)")
        #expect(Set(tensors.keys) == Set(want.keys))
        for (name, e) in want {
            let t = try #require(tensors[name])
            #expect(t.shape == e.shape, "\(fixture) \(name)")
            let bits = (0..<t.count).map { t.pointer[$0].bitPattern }
            #expect(bits == e.bits, "\(fixture) \(name)")
        }
    }

    @Test("F32, F16 and BF16 files written by the safetensors package load to exactly the values PyTorch widens them to",
          arguments: ["f32", "f16", "bf16"])
    func fixtures(name: String) throws {
        let (tensors, metadata) = try Safetensors.read(safetensorsFixtures.appendingPathComponent("\(name).safetensors"))
        try check(tensors, against: name)
        #expect(metadata == ["format": "pt", "dtype": name])
        #expect(tensors["specials"]!.pointer[2].isNaN && tensors["empty"]!.shape == [0, 3] && tensors["scalar"]!.shape == [])
    }

    @Test("a sharded folder (model.safetensors.index.json) loads every tensor from the shard its weight map names")
    func sharded() throws {
        let (tensors, metadata) = try Safetensors.readFolder(safetensorsFixtures.appendingPathComponent("sharded"))
        try check(tensors, against: "sharded")
        #expect(metadata == ["format": "pt"])
        // A folder without an index reads model.safetensors; F32 files Attend writes round-trip.
        let folder = temporaryFolder("st-folder")
        let a = Tensor([1.5, -2, 3e-3, 7], shape: [2, 2])
        try Safetensors.write([("a", a)], metadata: ["k": "v"], to: folder.appendingPathComponent("model.safetensors"))
        let back = try Safetensors.readFolder(folder)
        #expect(back.tensors["a"]!.shape == [2, 2] && (0..<4).map { back.tensors["a"]!.pointer[$0] } == [1.5, -2, 3e-3, 7])
        #expect(back.metadata == ["k": "v"])
    }

    #if !(os(macOS) && arch(x86_64))
    @Test("every one of the 65,536 half-precision bit patterns widens to the Float that Swift's Float16 converts it to")
    func halfConversion() {
        var mismatches = 0
        for h in 0...UInt16.max {
            let mine = Safetensors.float(half: h), swift = Float(Float16(bitPattern: h))
            if mine.isNaN ? !swift.isNaN : mine.bitPattern != swift.bitPattern { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }
    #endif

    /// Malformed files, each with the words its error must contain.
    static let malformed: [(String, Data, String)] = [
        ("short", Data([1, 0, 0]), "only 3 bytes"),
        ("length past end", { var d = safetensorsBytes(header: "{}"); d[0] = 200; return d }(), "header length 200 exceeds the 2 bytes"),
        ("huge length", { var d = safetensorsBytes(header: "{}"); d.replaceSubrange(0..<8, with: [0, 0, 0, 0, 0, 0, 0, 0x80]); return d }(), "exceeds"),
        ("not json", safetensorsBytes(header: "{\"a\": [1, 2"), "not valid JSON"),
        ("array", safetensorsBytes(header: "[1, 2, 3]"), "does not start with '{'"),
        ("shape mismatch", safetensorsBytes(header: #"{"w":{"dtype":"F16","shape":[2,3],"data_offsets":[0,8]}}"#, data: Array(repeating: 0, count: 8)),
         "w has shape [2, 3] of F16 (12 bytes) but spans 8 bytes"),
        ("past data", safetensorsBytes(header: #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: Array(repeating: 0, count: 12)),
         "w ends at byte 16 of a data section of 12 bytes"),
        ("overlap", safetensorsBytes(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[4,8]}}"#,
                                     data: Array(repeating: 0, count: 8)), "the data of a and b overlap"),
        ("negative shape", safetensorsBytes(header: #"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]),
         "w has a shape entry that is not a non-negative integer"),
        ("fractional offset", safetensorsBytes(header: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4.5]}}"#, data: [0, 0, 0, 0]),
         "data offset that is not a non-negative integer"),
        ("reversed offsets", safetensorsBytes(header: #"{"w":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}"#, data: [0, 0, 0, 0]),
         "begin ≤ end"),
        ("huge shape", safetensorsBytes(header: #"{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]),
         "too large to address"),
        ("metadata", safetensorsBytes(header: #"{"__metadata__":{"total_size":12}}"#), "__metadata__ value of \"total_size\" is not a string"),
        ("no dtype", safetensorsBytes(header: #"{"w":{"shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), "w has no dtype string"),
    ]

    @Test("malformed headers are refused with a typed error naming the file and the problem", arguments: 0..<malformed.count)
    func malformedHeader(index: Int) throws {
        let (name, bytes, words) = Self.malformed[index]
        let url = temporaryFolder("st-bad").appendingPathComponent("\(name.replacingOccurrences(of: " ", with: "-")).safetensors")
        try bytes.write(to: url)
        do {
            _ = try Safetensors.read(url)
            Issue.record("\(name): accepted")
        } catch let error as TensorFileError {
            guard case let .corrupt(path, reason) = error else { Issue.record("\(name): \(error)"); return }
            #expect(path == url.path)
            #expect(reason.contains(words), "\(name): \(reason)")
            #expect(error.description.contains(url.path) && error.description.contains("use another checkpoint"))
        }
    }

    @Test("an unknown dtype is refused as unsupported, saying which dtypes are read and how to convert")
    func unsupportedDType() throws {
        let url = temporaryFolder("st-i64").appendingPathComponent("ints.safetensors")
        try safetensorsBytes(header: #"{"ids":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#, data: Array(repeating: 0, count: 8)).write(to: url)
        #expect(throws: TensorFileError.unsupported(path: url.path, reason: "tensor ids has dtype \"I64\"")) { try Safetensors.read(url) }
        let message = "\(TensorFileError.unsupported(path: url.path, reason: "x"))"
        #expect(message.contains("F32, F16 and BF16") && message.contains("tensor.float()"))
        #expect(throws: TensorFileError.unreadable(path: "/nonexistent/x.safetensors", reason: "file missing or unreadable")) {
            try Safetensors.read(URL(fileURLWithPath: "/nonexistent/x.safetensors"))
        }
    }

    @Test("a sharded index that disagrees with its shards is refused, naming the index")
    func badIndex() throws {
        let source = safetensorsFixtures.appendingPathComponent("sharded")
        func folder(index: String, copyShards: Bool = true) throws -> URL {
            let f = temporaryFolder("st-index")
            if copyShards {
                for s in ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"] {
                    try FileManager.default.copyItem(at: source.appendingPathComponent(s), to: f.appendingPathComponent(s))
                }
            }
            try Data(index.utf8).write(to: f.appendingPathComponent(Safetensors.indexFileName))
            return f
        }
        let s1 = "model-00001-of-00002.safetensors", s2 = "model-00002-of-00002.safetensors"
        let cases: [(String, String)] = [
            ("[]", "not a JSON object"),
            (#"{"metadata": {}}"#, "no weight_map"),
            (#"{"weight_map": {"h.0.w": "\#(s2)", "h.0.b": "\#(s1)", "h.1.w": "\#(s2)", "lm_head.weight": "\#(s2)"}}"#, "h.0.w is in \(s1) but weight_map puts it in \(s2)"),
            (#"{"weight_map": {"h.0.b": "\#(s1)", "h.1.w": "\#(s2)", "lm_head.weight": "\#(s2)"}}"#, "\(s1) holds h.0.w, which weight_map does not list"),
            (#"{"weight_map": {"x": "../etc/passwd"}}"#, "is not a file name in the folder"),
        ]
        for (index, words) in cases {
            let f = try folder(index: index)
            do {
                _ = try Safetensors.readFolder(f)
                Issue.record("accepted \(index)")
            } catch let error as TensorFileError {
                #expect(error.description.contains(f.appendingPathComponent(Safetensors.indexFileName).path), "\(error)")
                #expect(error.description.contains(words), "\(error)")
                #expect(error.description.contains("not a valid safetensors index"), "\(error)")
            }
        }
        let missing = try folder(index: #"{"weight_map": {"h.0.w": "\#(s1)"}}"#, copyShards: false)
        #expect(throws: TensorFileError.unreadable(path: missing.appendingPathComponent(s1).path, reason: "file missing or unreadable")) {
            try Safetensors.readFolder(missing)
        }
    }
}
