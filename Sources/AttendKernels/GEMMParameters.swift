import Foundation

/// The blocking of the fp32 GEMM: how deep a packed block is (KC), how wide (NC), and whether
/// untransposed A is read in place or packed. Chosen from the CPU's caches at start-up
/// (`chosen(for:)`), or forced with `ATTEND_GEMM` so that one machine can run another's
/// code paths (`ATTEND_GEMM="kc=256,nc=1024,a=in-place"`).
///
/// The loop nest (GEMM.swift) keeps one 12×KC strip of A in L1 while 32-wide KC-deep micro-panels
/// of B stream past it from a KC×NC block that lives in L2, so (Goto & van de Geijn 2008; Low et
/// al. 2016):
/// - KC: the A strip (12·KC floats), reused by every B micro-panel of the block, takes at most
///   half of the L1 data cache while the micro-panels stream through the other half from L2:
///   KC = ⌊L1d / 2 / (4·12) / 16⌋·16, at most 256 (both the 48 KiB and the 32 KiB L1d give 256;
///   on the Zen 4 class KC 176, 208 and 256 were within 1–2 % of each other, 128 was 2 % slower);
/// - NC: the packed B block (KC·NC floats) takes at most half of L2, a multiple of 32
///   (2 MiB → 1024, 1 MiB → 512);
/// - A in place: reading 12 rows of A through 12 pointers saves the packing pass (up to a quarter
///   of the time when N is small), but only pays where the L1 holds 12 independent row streams
///   — measured on the Intel Sapphire-Rapids class (48 KiB 12-way L1d); on the AMD Zen 4 class
///   (32 KiB 8-way) the in-place kernel ran at 65 % of peak against 93 % packed, at every lda.
///   So it is chosen for Intel CPUs with at least a 12-way L1d and packed everywhere else.
public struct GEMMParameters: Sendable, Equatable, CustomStringConvertible {
    /// Depth (K extent) of one packed block; the actual depth splits K into equal blocks ≤ kc.
    public var kc: Int
    /// Width of one packed B block, a multiple of the micro-tile width 32.
    public var nc: Int
    /// Read untransposed A in place (true) or pack it into 12-row strips (false).
    public var readsAInPlace: Bool
    /// Where the values came from ("chosen for the caches", "ATTEND_GEMM").
    public var source: String

    /// Parameters given directly; `kc` must be ≥ 1 and `nc` a positive multiple of the micro-tile width 32
    /// (a precondition).
    public init(kc: Int, nc: Int, readsAInPlace: Bool, source: String = "explicit") {
        precondition(kc >= 1 && nc >= gemmNR && nc % gemmNR == 0,
                     "GEMMParameters: kc must be ≥ 1 and nc a positive multiple of \(gemmNR) (kc \(kc), nc \(nc))")
        self.kc = kc
        self.nc = nc
        self.readsAInPlace = readsAInPlace
        self.source = source
    }

    /// The parameters every `gemm` call uses unless given others: `ATTEND_GEMM` if set, else the
    /// ones chosen for `CPUInfo.current`. An unreadable `ATTEND_GEMM` stops the program with a
    /// message naming the accepted form.
    public static let current: GEMMParameters = {
        let chosen = GEMMParameters.chosen(for: .current)
        guard let text = ProcessInfo.processInfo.environment["ATTEND_GEMM"], !text.isEmpty else { return chosen }
        do {
            return try GEMMParameters.parse(text, base: chosen)
        } catch {
            fatalError("\(error)")
        }
    }()

    /// The blocking for a CPU with these caches (see the type's documentation for the rules).
    public static func chosen(for cpu: CPUInfo) -> GEMMParameters {
        let kc = min(256, max(32, cpu.l1d.bytes / 2 / (4 * gemmMR) / 16 * 16))
        let nc = min(4096, max(gemmNR, cpu.l2.bytes / 2 / (4 * kc) / gemmNR * gemmNR))
        let inPlace = cpu.vendor == "GenuineIntel" && cpu.l1d.ways >= gemmMR
        return GEMMParameters(kc: kc, nc: nc, readsAInPlace: inPlace, source: "chosen for the caches")
    }

    /// Parses "kc=128,nc=512,a=packed" (any subset; the rest from `base`).
    public static func parse(_ text: String, base: GEMMParameters) throws -> GEMMParameters {
        var kc = base.kc, nc = base.nc, inPlace = base.readsAInPlace
        let usage = "ATTEND_GEMM takes comma-separated kc=N (≥ 1), nc=N (a positive multiple of \(gemmNR)) and a=packed|in-place, e.g. \"kc=256,nc=1024,a=in-place\""
        for item in text.split(separator: ",") {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { throw GEMMParameterError(message: "ATTEND_GEMM: '\(item)' is not key=value. \(usage)") }
            switch pair[0] {
            case "kc":
                guard let v = Int(pair[1]), v >= 1 else { throw GEMMParameterError(message: "ATTEND_GEMM: bad kc '\(pair[1])'. \(usage)") }
                kc = v
            case "nc":
                guard let v = Int(pair[1]), v >= gemmNR, v % gemmNR == 0 else {
                    throw GEMMParameterError(message: "ATTEND_GEMM: bad nc '\(pair[1])'. \(usage)")
                }
                nc = v
            case "a":
                switch pair[1] {
                case "packed": inPlace = false
                case "in-place": inPlace = true
                default: throw GEMMParameterError(message: "ATTEND_GEMM: bad a '\(pair[1])'. \(usage)")
                }
            default:
                throw GEMMParameterError(message: "ATTEND_GEMM: unknown key '\(pair[0])'. \(usage)")
            }
        }
        return GEMMParameters(kc: kc, nc: nc, readsAInPlace: inPlace, source: "ATTEND_GEMM")
    }

    /// "kc 256, nc 512, A packed (chosen for the caches)".
    public var description: String {
        "kc \(kc), nc \(nc), A \(readsAInPlace ? "read in place" : "packed") (\(source))"
    }
}

/// An `ATTEND_GEMM` value that cannot be read.
public struct GEMMParameterError: Error, CustomStringConvertible {
    /// What is wrong with the value, followed by the form `ATTEND_GEMM` accepts.
    public var message: String
    public var description: String { message }
}
