import AttendKernels
import AttendTensor
import Foundation

/// A per-head additive score bias R[h, t, s] that tells softmax attention how far apart a query
/// and a key are (relative positions): scores become scale·q_t·k_s + R[h, t, s].
///
/// Lag convention (Wang & E, NeurIPS 2024): 1-based lags τ = t − s + 1, so the current token
/// (s = t) has τ = 1 and φ_log(1) = −log 1 = 0 — it stays visible with no penalty. Positions are
/// absolute: with S keys and T queries the queries sit at S − T … S − 1 (as with a KV cache). For
/// keys after the query (bidirectional attention) the lag is |t − s| + 1.
public enum PositionBias: String, Codable, CaseIterable, Sendable {
    /// No bias: plain softmax attention.
    case none
    /// T5's causal buckets (Raffel et al., 2020): half the buckets exact lags, the rest log-spaced up to
    /// `maxDistance`; one learned scalar per bucket per head; a key after the query shares bucket 0.
    case t5
    /// T5's bidirectional buckets: as `t5`, but half the buckets for keys before the query, half for
    /// keys after it.
    case t5Bidirectional = "t5-bidirectional"
    /// Wang & E (2024) log-type: R = p_h·φ_log(τ), φ_log(τ) = −log τ, trainable p_h = exp(ρ_h) > 0.
    case logType = "log-type"
    /// Wang & E (2024) lin-type: R = p_h·φ_lin(τ), φ_lin(τ) = −τ, trainable p_h = exp(ρ_h) > 0.
    case linType = "lin-type"
    /// ALiBi (Press et al., 2022): fixed R = −m_h·(t − s) with geometric slopes m_h = 2^(−8h/H), h = 1…H.
    case alibi
}

extension PositionBias {
    /// Whether the bias sees direction (keys after the query get their own buckets); such a bias
    /// only makes sense without a causal mask (an encoder), every other one works either way.
    public var isBidirectionalOnly: Bool { self == .t5Bidirectional }
}

/// The relative-position bias of one attention layer: builds R by lag [H, T + S − 1] for the parallel
/// form (or expanded, [H, T, S]) and one row [H, S] for a generation step, with the learned
/// parameters it needs.
///
/// Parameters: T5 kinds own `table` [H, buckets] (zeros at start); log- and lin-type own `logScale`
/// ρ [H] with p_h = exp(ρ_h) (log-type starts at p_h = 1, lin-type at the ALiBi slopes); ALiBi owns
/// none. Each layer has its own bias (T5 itself shares one table across layers). Every kind depends
/// only on the lag, so attention uses `lagBias`: H·(T + S − 1) floats per layer and forward, shared
/// by the whole batch (the flash kernels keep their O(T) memory).
public final class RelativePositionBias: Module {
    /// Which bias this is.
    public let kind: PositionBias
    /// Heads (one bias per head).
    public let numHeads: Int
    /// Number of T5 buckets.
    public let buckets: Int
    /// Lag at which T5's log-spaced buckets end (longer lags share the last bucket).
    public let maxDistance: Int
    /// The learned tensor: T5's bucket table [H, buckets], or log-/lin-type's ρ [H]; nil for ALiBi and none.
    public let weight: Tensor?

    /// A bias of `kind` for `numHeads` heads; `buckets` and `maxDistance` matter only for T5.
    public init(kind: PositionBias, numHeads: Int, buckets: Int = 32, maxDistance: Int = 128) {
        precondition(numHeads > 0, "relative positions need at least one head")
        precondition(!(kind == .t5 || kind == .t5Bidirectional) || (buckets >= 4 && maxDistance > buckets / 2),
                     "T5 buckets need buckets ≥ 4 and maxDistance > buckets / 2")
        self.kind = kind
        self.numHeads = numHeads
        self.buckets = buckets
        self.maxDistance = maxDistance
        switch kind {
        case .t5, .t5Bidirectional: weight = Tensor.zeros([numHeads, buckets], requiresGrad: true)
        case .logType: weight = Tensor.zeros([numHeads], requiresGrad: true)
        case .linType: weight = Tensor(Self.alibiSlopes(numHeads: numHeads).map { Foundation.log($0) }, shape: [numHeads], requiresGrad: true)
        case .alibi, .none: weight = nil
        }
    }

    /// `table` (T5) or `logScale` (log-/lin-type); empty for ALiBi.
    public var parameters: [(name: String, tensor: Tensor)] {
        guard let weight else { return [] }
        return [(kind == .t5 || kind == .t5Bidirectional ? "table" : "logScale", weight)]
    }

    /// R by lag, [H, T + S − 1], for T queries at positions S − T … S − 1 and S keys at 0 … S − 1:
    /// entry e holds the bias of lag ℓ = e − (T − 1) = query position − key position (ℓ ≥ 0 for a key at
    /// or before the query; negative ℓ only matter without a causal mask). Differentiable in `weight`;
    /// O(H·(T + S)) memory. `Tensor.flashAttention(queries:keys:values:bias:mask:scale:)` takes it as is.
    public func lagBias(queryLength t: Int, keyLength s: Int) -> Tensor {
        let lags = (1 - t)...(s - 1)
        switch kind {
        case .t5, .t5Bidirectional:
            let indices = lags.map {
                Int32(Self.bucket(relativePosition: -$0, bidirectional: kind == .t5Bidirectional, buckets: buckets, maxDistance: maxDistance))
            }
            return Tensor.bucketedBias(table: weight!, buckets: indices)
        case .logType, .linType:
            let phi: (Int) -> Float = kind == .logType ? { -Foundation.log(Float($0)) } : { -Float($0) }
            return Tensor.scaledBias(logScales: weight!, pattern: lags.map { phi(abs($0) + 1) })  // τ = |ℓ| + 1
        case .alibi:
            let slopes = Self.alibiSlopes(numHeads: numHeads)
            return Tensor(slopes.flatMap { m in lags.map { -m * Float(abs($0)) } }, shape: [numHeads, t + s - 1])
        case .none:
            return Tensor.zeros([numHeads, t + s - 1])
        }
    }

    /// R [H, T, S] (the by-lag bias expanded: R[h, i, j] = lagBias[h, i − j + S − 1]), for inspection and
    /// for attention that wants the full layout; entries a causal mask hides are filled too. O(H·T·S).
    public func callAsFunction(queryLength t: Int, keyLength s: Int) -> Tensor {
        var indices = [Int32](repeating: 0, count: t * s)
        for i in 0..<t { for j in 0..<s { indices[i * s + j] = Int32(i - j + s - 1) } }
        return Tensor.bucketedBias(table: lagBias(queryLength: t, keyLength: s), buckets: indices).reshaped([numHeads, t, s])
    }

    /// Row `position` of the bias for a generation step: [H, position + 1] (no gradient), equal to the
    /// last row of `callAsFunction(queryLength:keyLength:)` over the same keys.
    public func row(position: Int) -> Tensor {
        withoutGradients { self(queryLength: 1, keyLength: position + 1) }
    }

    /// Wang & E's 1-based lag τ = |t − s| + 1 between a query at `query` and a key at `key` (τ = 1 for
    /// the current token).
    public static func lag(query: Int, key: Int) -> Int { abs(query - key) + 1 }

    /// ALiBi's head slopes m_h = 2^(−8h/H), h = 1…H (Press et al., 2022; for H a power of two this is
    /// the paper's geometric sequence starting at 2^(−8/H)).
    public static func alibiSlopes(numHeads: Int) -> [Float] {
        (1...numHeads).map { Float(Foundation.pow(2.0, -8.0 * Double($0) / Double(numHeads))) }
    }

    /// T5's bucket of a key − query offset (Raffel et al., 2020; `_relative_position_bucket` in the
    /// reference code): bidirectional splits the buckets by sign (offset > 0, keys after the query, in
    /// the upper half); of the n buckets left, lags below n/2 get their own bucket and longer ones are
    /// log-spaced, n/2 + ⌊log(lag / (n/2)) / log(maxDistance / (n/2)) · n/2⌋, capped at n − 1. Causal
    /// T5 gives every key after the query bucket 0. Computed in Float32, as the reference does.
    public static func bucket(relativePosition: Int, bidirectional: Bool, buckets: Int, maxDistance: Int) -> Int {
        var n = buckets, result = 0, distance: Int
        if bidirectional {
            n /= 2
            if relativePosition > 0 { result += n }
            distance = abs(relativePosition)
        } else {
            distance = max(0, -relativePosition)
        }
        let maxExact = n / 2
        if distance < maxExact { return result + distance }
        let ratio = Foundation.log(Float(distance) / Float(maxExact)) / Float(Foundation.log(Double(maxDistance) / Double(maxExact)))
        let large = maxExact + Int(ratio * Float(n - maxExact))
        return result + min(large, n - 1)
    }
}
