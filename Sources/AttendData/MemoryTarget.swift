import AttendTensor
import Foundation

/// The synthetic sequence-modelling targets of Wang & E (NeurIPS 2024, §5 and App. "Experiments"):
/// i.i.d. uniform ±1 inputs x_1 … x_T and one scalar target per sequence, read at the last position t = T.
///
/// Index conventions (written once, used everywhere): positions s are 1-based as in the paper,
/// x_s is stored at array index s − 1, the target is read at t = T, and a memory at position s has
/// the plain offset t − s (952, 944 and 901 for s = 48, 56 and 99 at T = 1000) and the paper's 1-based
/// lag τ = t − s + 1 (953, 945, 902) — the lag the relative position bias φ(τ) sees (τ = 1 is the current token).
public enum MemoryTarget: String, Codable, CaseIterable, Sendable {
    /// Insight 4a, heavy-tailed memory: y = Σ_{s=1}^{T} x_s·ρ(T + 1 − s), ρ(τ) = τ^(−exponent) (exponent 0.5).
    case powerDecay = "power-decay"
    /// Insight 4b, light-tailed memory: y = Σ_{s=1}^{T} x_s·ρ(T + 1 − s), ρ(τ) = e^(−rate·τ) (rate 5).
    case exponentialDecay = "exponential-decay"
    /// Insight 2a, complex read-out of one memory: y = Σ_{k=1}^{K} ReLU(w_k·x_{s₁}), w_k ~ N(0, 1) (K = 64, s₁ = 99).
    case memoryReadout = "memory-readout"
    /// Insight 2b, simple read-out of several memories: y = Σ_{s ∈ P} x_s (P = {48, 56, 99}).
    case sparseSum = "sparse-sum"
    /// Insights 1b and 3a: y = Σ_{k=1}^{K} ReLU(⟨w_k, x_P⟩), w_k ~ N(0, I_|P|) (K = 64, P = {48, 56, 99}).
    case sparseReadout = "sparse-readout"
    /// Task II, adaptive memory: y = x_t·x_{t−g(x_t)}·x_{t−g(x_{t−g(x_t)})} with g(+1) = gaps.0, g(−1) = gaps.1
    /// (the paper's g(1) = 1, g(−1) = 2); t = T.
    case adaptiveMemory = "adaptive-memory"

    /// The memory positions (1-based) a target reads by default: 2a reads s = 99, 2b and 1b/3a s = 48, 56, 99; none for the rest.
    public var defaultPositions: [Int] {
        switch self {
        case .memoryReadout: return [99]
        case .sparseSum, .sparseReadout: return [48, 56, 99]
        case .powerDecay, .exponentialDecay, .adaptiveMemory: return []
        }
    }
}

/// ±1 sequences with their scalar targets, row-major: `inputs` [batch, length], `targets` [batch].
public struct RegressionBatch: Sendable, Equatable {
    /// x, ±1, [batch, length] (row b holds x_1 … x_T of sequence b at indices 0 … T − 1).
    public var inputs: [Float]
    /// y, [batch].
    public var targets: [Float]
    /// Sequences.
    public var batch: Int
    /// T.
    public var length: Int

    /// A batch from its parts.
    public init(inputs: [Float], targets: [Float], batch: Int, length: Int) {
        precondition(inputs.count == batch * length && targets.count == batch, "regression batch shapes differ")
        self.inputs = inputs; self.targets = targets; self.batch = batch; self.length = length
    }

    /// Rows `r` of the batch.
    public func rows(_ r: Range<Int>) -> RegressionBatch {
        RegressionBatch(inputs: Array(inputs[(r.lowerBound * length)..<(r.upperBound * length)]), targets: Array(targets[r]),
                        batch: r.count, length: length)
    }
}

/// An invalid synthetic-regression setting, with what to change.
public struct RegressionDataError: Error, CustomStringConvertible, Equatable {
    /// What is wrong and what to do.
    public var message: String
    public var description: String { message }
}

/// A fully specified target of `MemoryTarget` kind over sequences of `length`: its memory positions,
/// its fixed random read-out weights (drawn from `targetSeed`, so every run of a study learns the same
/// function) and its decay constants; draws fresh batches.
public struct MemoryRegressionData: Sendable, Equatable {
    /// Which target.
    public let target: MemoryTarget
    /// T (the target is read at t = T).
    public let length: Int
    /// 1-based memory positions read by 2a, 2b and 1b/3a.
    public let positions: [Int]
    /// K read-out units of 2a and 1b/3a, each a weight vector over `positions` ([K][|P|]); empty otherwise.
    public let readoutWeights: [[Float]]
    /// 4a's exponent (ρ(τ) = τ^−exponent).
    public let exponent: Double
    /// 4b's rate (ρ(τ) = e^(−rate·τ)).
    public let rate: Double
    /// Task II's g(+1) and g(−1).
    public let gaps: (plus: Int, minus: Int)

    public static func == (a: Self, b: Self) -> Bool {
        a.target == b.target && a.length == b.length && a.positions == b.positions && a.readoutWeights == b.readoutWeights
            && a.exponent == b.exponent && a.rate == b.rate && a.gaps == b.gaps
    }

    /// A target over sequences of `length`; `positions` default to the paper's (`MemoryTarget.defaultPositions`),
    /// `readoutUnits` K = 64 weights drawn from N(0, I) with `targetSeed`. Throws when a position lies outside 1 … length
    /// or Task II's gaps reach before the sequence.
    public init(target: MemoryTarget, length: Int, positions: [Int]? = nil, readoutUnits: Int = 64, targetSeed: UInt64 = 0,
                exponent: Double = 0.5, rate: Double = 5, gaps: (plus: Int, minus: Int) = (1, 2)) throws {
        guard length >= 2 && length <= 10_000_000 else {
            throw RegressionDataError(message: "length must be between 2 and 10,000,000, got \(length)")
        }
        let p = positions ?? target.defaultPositions
        if let bad = p.first(where: { $0 < 1 || $0 > length }) {
            throw RegressionDataError(message: "memory position \(bad) lies outside the sequence 1…\(length); choose positions within it")
        }
        if (target == .memoryReadout || target == .sparseSum || target == .sparseReadout) && p.isEmpty {
            throw RegressionDataError(message: "target '\(target.rawValue)' needs at least one memory position")
        }
        if target == .adaptiveMemory && (gaps.plus < 1 || gaps.minus < 1 || max(gaps.plus, gaps.minus) >= length) {
            throw RegressionDataError(message: "adaptive-memory gaps must be ≥ 1 and < length (\(length)), got \(gaps.plus), \(gaps.minus)")
        }
        guard readoutUnits > 0 else { throw RegressionDataError(message: "readoutUnits must be positive, got \(readoutUnits)") }
        self.target = target
        self.length = length
        self.positions = p
        self.exponent = exponent
        self.rate = rate
        self.gaps = gaps
        if target == .memoryReadout || target == .sparseReadout {
            var rng = RandomGenerator(seed: targetSeed).derived(77)
            readoutWeights = (0..<readoutUnits).map { _ in p.map { _ in rng.nextNormal() } }
        } else {
            readoutWeights = []
        }
        memory = (1...length).map { s -> Double in
            let tau = Double(length + 1 - s)  // 1-based lag of position s seen from t = T
            switch target {
            case .powerDecay: return Foundation.pow(tau, -exponent)
            case .exponentialDecay: return Foundation.exp(-rate * tau)
            default: return 0
            }
        }
    }

    /// 4a/4b's memory weights by position: memory[s − 1] = ρ(T + 1 − s); zeros for the other targets.
    public let memory: [Double]

    /// The target of one sequence x (x[s − 1] = x_s), computed in Float64.
    public func value(_ x: ArraySlice<Float>) -> Float {
        let base = x.startIndex, t = length
        func at(_ s: Int) -> Double { Double(x[base + s - 1]) }
        switch target {
        case .powerDecay, .exponentialDecay:
            var y = 0.0
            for s in 1...t { y += at(s) * memory[s - 1] }
            return Float(y)
        case .sparseSum:
            return Float(positions.reduce(0.0) { $0 + at($1) })
        case .memoryReadout, .sparseReadout:
            var y = 0.0
            for w in readoutWeights {
                var dot = 0.0
                for (i, s) in positions.enumerated() { dot += Double(w[i]) * at(s) }
                y += max(dot, 0)
            }
            return Float(y)
        case .adaptiveMemory:
            func g(_ v: Double) -> Int { v > 0 ? gaps.plus : gaps.minus }
            let first = t - g(at(t))
            let second = t - g(at(first))
            return Float(at(t) * at(first) * at(second))
        }
    }

    /// `batch` fresh sequences of i.i.d. uniform ±1 inputs from `rng`, with their targets.
    public func batch(_ batch: Int, rng: inout RandomGenerator) -> RegressionBatch {
        var inputs = [Float](repeating: 0, count: batch * length)
        var i = 0
        while i < inputs.count {
            var bits = rng.next()  // 64 signs per draw
            for _ in 0..<min(64, inputs.count - i) {
                inputs[i] = bits & 1 == 0 ? -1 : 1
                bits >>= 1
                i += 1
            }
        }
        let targets = (0..<batch).map { b in value(inputs[(b * length)..<((b + 1) * length)]) }
        return RegressionBatch(inputs: inputs, targets: targets, batch: batch, length: length)
    }
}
