import Foundation

/// What the kernels need to know about the CPU they run on: its name, caches and vector
/// features, read once at start-up from Linux's sysfs and /proc/cpuinfo.
///
/// The GEMM blocking (`GEMMParameters.chosen(for:)`) follows the data caches, as BLIS derives
/// its blocking from cache size and associativity (Low et al., "Analytical Modeling Is Enough
/// for High-Performance BLIS", ACM TOMS 2016). Where a reading is missing (another OS, a
/// container that hides sysfs) the field falls back to a common x86 server core's value and
/// `cachesFromSystem` is false.
public struct CPUInfo: Sendable, Equatable, CustomStringConvertible {
    /// One cache level's geometry.
    public struct Cache: Sendable, Equatable {
        /// Capacity per core, in bytes.
        public var bytes: Int
        /// Ways of associativity (lines that share one set).
        public var ways: Int
        /// Line size in bytes.
        public var lineBytes: Int

        /// A cache of `bytes` bytes with `ways`-way associativity and `lineBytes`-byte lines.
        public init(bytes: Int, ways: Int, lineBytes: Int = 64) {
            self.bytes = bytes
            self.ways = ways
            self.lineBytes = lineBytes
        }

        /// Bytes between two addresses that map to the same set (size / ways).
        public var aliasStride: Int { bytes / max(1, ways) }
    }

    /// The model name as /proc/cpuinfo gives it ("AMD EPYC", "Intel(R) Xeon(R) Platinum 8488C").
    public var modelName: String
    /// "AuthenticAMD", "GenuineIntel", … (empty when unknown).
    public var vendor: String
    /// CPU family and model numbers (decimal, as /proc/cpuinfo prints them; 0 when unknown).
    public var family: Int
    /// CPU model number (decimal, as /proc/cpuinfo prints it; 0 when unknown).
    public var model: Int
    /// Level-1 data cache, level-2 cache and last-level cache, per core as sysfs reports them.
    public var l1d: Cache
    /// Level-2 cache, as sysfs reports it for cpu0 (1 MiB 8-way when the caches could not be read).
    public var l2: Cache
    /// Level-3 (last-level) cache, as sysfs reports it for cpu0; nil when none is reported or the caches could not be read.
    public var l3: Cache?
    /// Whether the CPU reports AVX-512 Foundation (512-bit vector registers).
    public var hasAVX512: Bool
    /// Whether the CPU reports AVX512-BF16 (`vdpbf16ps`, bfloat16 dot products into fp32).
    public var hasAVX512BF16: Bool
    /// Whether the cache geometry came from the system (false: defaults were used).
    public var cachesFromSystem: Bool

    /// A description of a CPU given field by field (for tests, and to choose parameters for another
    /// machine); see the properties for what each value means.
    public init(modelName: String, vendor: String = "", family: Int = 0, model: Int = 0,
                l1d: Cache, l2: Cache, l3: Cache? = nil,
                hasAVX512: Bool = true, hasAVX512BF16: Bool = false, cachesFromSystem: Bool = true) {
        self.modelName = modelName
        self.vendor = vendor
        self.family = family
        self.model = model
        self.l1d = l1d
        self.l2 = l2
        self.l3 = l3
        self.hasAVX512 = hasAVX512
        self.hasAVX512BF16 = hasAVX512BF16
        self.cachesFromSystem = cachesFromSystem
    }

    /// This machine, read once.
    public static let current: CPUInfo = read()

    /// "AMD EPYC (AuthenticAMD family 25 model 17)": the name plus what tells CPU classes apart
    /// when the name does not.
    public var identity: String {
        vendor.isEmpty ? modelName : "\(modelName) (\(vendor) family \(family) model \(model))"
    }

    /// "AMD EPYC (AuthenticAMD family 25 model 17; L1d 32 KiB 8-way, L2 1024 KiB 8-way, L3 32768 KiB; avx512 bf16)".
    public var description: String {
        var parts: [String] = []
        if !vendor.isEmpty { parts.append("\(vendor) family \(family) model \(model)") }
        var caches = "L1d \(l1d.bytes / 1024) KiB \(l1d.ways)-way, L2 \(l2.bytes / 1024) KiB \(l2.ways)-way"
        if let l3 { caches += ", L3 \(l3.bytes / 1024) KiB" }
        if !cachesFromSystem { caches += " (assumed)" }
        parts.append(caches)
        var features: [String] = []
        if hasAVX512 { features.append("avx512") }
        if hasAVX512BF16 { features.append("avx512-bf16") }
        if !features.isEmpty { parts.append(features.joined(separator: " ")) }
        return "\(modelName) (\(parts.joined(separator: "; ")))"
    }

    /// Reads /proc/cpuinfo and /sys/devices/system/cpu/cpu0/cache.
    static func read() -> CPUInfo {
        var info = CPUInfo(modelName: "unknown CPU",
                           l1d: Cache(bytes: 32 * 1024, ways: 8), l2: Cache(bytes: 1024 * 1024, ways: 8),
                           hasAVX512: false, cachesFromSystem: false)
        if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) {
            info.parseProcCPUInfo(text)
        }
        var l1: Cache?, l2: Cache?, l3: Cache?
        for index in 0..<8 {
            let dir = "/sys/devices/system/cpu/cpu0/cache/index\(index)"
            guard let level = readInt(dir + "/level"), let type = readLine(dir + "/type"),
                  let size = readLine(dir + "/size").flatMap(parseSize) else { continue }
            if type == "Instruction" { continue }
            let cache = Cache(bytes: size, ways: readInt(dir + "/ways_of_associativity") ?? 8,
                              lineBytes: readInt(dir + "/coherency_line_size") ?? 64)
            switch level {
            case 1: l1 = cache
            case 2: l2 = cache
            case 3: l3 = cache
            default: break
            }
        }
        if let l1, let l2 {
            info.l1d = l1
            info.l2 = l2
            info.l3 = l3
            info.cachesFromSystem = true
        }
        return info
    }

    /// Fills the name, vendor, family, model and feature flags from /proc/cpuinfo's first processor.
    public mutating func parseProcCPUInfo(_ text: String) {
        var seen = Set<String>()
        for line in text.split(separator: "\n") {
            let pair = line.split(separator: ":", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let key = pair[0].trimmingCharacters(in: .whitespaces)
            let value = pair[1].trimmingCharacters(in: .whitespaces)
            if seen.contains(key) { continue }  // first processor only
            seen.insert(key)
            switch key {
            case "model name": modelName = value
            case "vendor_id": vendor = value
            case "cpu family": family = Int(value) ?? 0
            case "model": model = Int(value) ?? 0
            case "flags":
                let flags = Set(value.split(separator: " ").map(String.init))
                hasAVX512 = flags.contains("avx512f")
                hasAVX512BF16 = flags.contains("avx512_bf16")
            default: break
            }
        }
    }

    /// "32K" → 32768, "1024K" → 1048576, "32M" → 33554432.
    public static func parseSize(_ text: String) -> Int? {
        guard let last = text.last else { return nil }
        let scale: Int
        switch last {
        case "K", "k": scale = 1024
        case "M", "m": scale = 1024 * 1024
        case "G", "g": scale = 1024 * 1024 * 1024
        default: return Int(text)
        }
        return Int(text.dropLast()).map { $0 * scale }
    }

    private static func readLine(_ path: String) -> String? {
        (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func readInt(_ path: String) -> Int? { readLine(path).flatMap { Int($0) } }
}
