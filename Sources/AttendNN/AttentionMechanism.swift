import AttendKernels
import AttendTensor

/// Mixes information across time. Parallel tensors are [B, H, T, D]; step tensors [B, H, D].
///
/// The projection/head-split layer (`MultiHeadAttention`) is separate from the mechanism, as in
/// fast-transformers' AttentionLayer vs inner attention. Mechanisms are made only by
/// `AttentionSpec.makeMechanism`; everything else (layers, caches, benches, the estimator) talks to
/// them through this contract and never asks which kind it holds.
public protocol AttentionMechanism {
    /// Per-sequence memory carried between generation steps.
    associatedtype State
    /// Keys and values of a fixed sequence (an encoder output) prepared for one query at a time.
    associatedtype Memory = KeyValueMemory
    /// Parallel (training) form. Honours `mask.causal` and `mask.keyLengths` as far as `capabilities`
    /// says (`AttentionSpec.validate` refuses the rest before a layer is built).
    func callAsFunction(queries: Tensor, keys: Tensor, values: Tensor, mask: AttentionMask) -> Tensor
    /// Empty state before the first step.
    func initialState(batch: Int, heads: Int, keyDim: Int, valueDim: Int) -> State
    /// One causal step; must equal row t of the parallel form with `mask: .causal`.
    func step(query: Tensor, key: Tensor, value: Tensor, state: inout State) -> Tensor
    /// Beam search: sequence n of the state continues old sequence `rows[n]` (same number of sequences).
    func reorder(_ state: inout State, rows: [Int])
    /// What this mechanism supports.
    var capabilities: AttentionCapabilities { get }
    /// FLOPs and bytes for sequences of `length` with `heads` heads of width `headDim`.
    func cost(length: Int, heads: Int, headDim: Int) -> AttentionCost
    /// Prepares keys [B, H, S, Dk] and values [B, H, S, Dv] whose first `keyLengths[b]` positions are
    /// real, for `attend` (cross-attention during decoding; inference, no gradients).
    func memory(keys: Tensor, values: Tensor, keyLengths: [Int32]) -> Memory
    /// One query [B, H, Dk] against a memory → [B, H, Dv]; equals the parallel form's row under
    /// `AttentionMask.padding(keyLengths)`.
    func attend(query: Tensor, memory: Memory) -> Tensor
    /// The memory whose batch row n is row `rows[n]` of `memory` (e.g. each source repeated per beam).
    func gathering(_ memory: Memory, rows: [Int]) -> Memory
}

/// What a mechanism supports; `AttentionSpec.validate` turns a missing capability into an error that
/// names the kinds that have it.
public struct AttentionCapabilities: Sendable, Equatable {
    /// Honours `mask.causal` (row t reads only keys s ≤ t).
    public var causal: Bool
    /// Has a recurrent form (`step`, `reorder`), so it can generate and decode.
    public var recurrent: Bool
    /// Honours key padding (`mask.keyLengths`) without a causal mask: can attend over a padded source
    /// (encoder self-attention, cross-attention).
    public var padding: Bool
    /// The recurrent state has a fixed size whatever the context length (linear kinds), rather than
    /// growing with it (a key–value cache).
    public var fixedSizeState: Bool

    /// Capabilities as listed.
    public init(causal: Bool, recurrent: Bool, padding: Bool, fixedSizeState: Bool) {
        self.causal = causal
        self.recurrent = recurrent
        self.padding = padding
        self.fixedSizeState = fixedSizeState
    }

    /// A name for the recurrent state in reports: "recurrent state" or "KV cache".
    public var stateName: String { fixedSizeState ? "recurrent state" : "KV cache" }
}

/// Cost of a mechanism for one sequence (all heads), multiply–adds counted as 2 FLOPs.
public struct AttentionCost: Sendable, Equatable {
    /// Forward FLOPs of the causal parallel form per token, averaged over a sequence of the length asked.
    public var flopsPerToken: Double
    /// FLOPs of one recurrent step at the position asked (0 without a recurrent form).
    public var stepFLOPs: Double
    /// Bytes of recurrent state after the length asked (fp32, no spare capacity).
    public var stateBytes: Double
    /// Working bytes the parallel forward+backward holds beyond its inputs, outputs and gradients
    /// (the largest intermediate; e.g. the correlation spectra of correlation-as-written).
    public var workingBytes: Double
    /// Fraction of the FMA peak this mechanism's kernels reach (a prior for forecasts, set from this
    /// project's kernels on a 2-core CPU: fused flash tiles ≈ 0.15, scans and small products ≈ 0.04).
    public var efficiency: Double

    /// A cost as listed.
    public init(flopsPerToken: Double, stepFLOPs: Double, stateBytes: Double, workingBytes: Double = 0, efficiency: Double) {
        self.flopsPerToken = flopsPerToken
        self.stepFLOPs = stepFLOPs
        self.stateBytes = stateBytes
        self.workingBytes = workingBytes
        self.efficiency = efficiency
    }
}

/// The encoder output as keys and values [B, H, S, D] with the real length of each row: the memory of
/// every mechanism that attends by running its parallel form on one query row.
public struct KeyValueMemory {
    /// Keys [B, H, S, Dk].
    public var keys: Tensor
    /// Values [B, H, S, Dv].
    public var values: Tensor
    /// Real length of each batch row (B entries): row b attends to its first `keyLengths[b]` positions only.
    public var keyLengths: [Int32]
}

extension AttentionMechanism where Memory == KeyValueMemory {
    public func memory(keys: Tensor, values: Tensor, keyLengths: [Int32]) -> KeyValueMemory {
        KeyValueMemory(keys: keys, values: values, keyLengths: keyLengths)
    }

    public func attend(query: Tensor, memory: KeyValueMemory) -> Tensor {
        let (b, h, d) = (query.shape[0], query.shape[1], query.shape[2])
        let out = self(queries: query.reshaped([b, h, 1, d]), keys: memory.keys, values: memory.values,
                       mask: .padding(memory.keyLengths))
        return out.reshaped([b, h, out.shape[3]])
    }

    public func gathering(_ memory: KeyValueMemory, rows: [Int]) -> KeyValueMemory {
        KeyValueMemory(keys: memory.keys.gatheringRows(rows), values: memory.values.gatheringRows(rows),
                       keyLengths: rows.map { memory.keyLengths[$0] })
    }
}

/// A mechanism together with its recurrent state, type-erased so a model holds one per layer: the
/// one state type of decoder-only generation and encoder–decoder decoding.
public final class AttentionStepper {
    private let stepBody: (Tensor, Tensor, Tensor) -> Tensor
    private let reorderBody: ([Int]) -> Void

    /// Starts `mechanism` from its empty state for `batch` sequences.
    public init<M: AttentionMechanism>(_ mechanism: M, batch: Int, heads: Int, keyDim: Int, valueDim: Int) {
        var state = mechanism.initialState(batch: batch, heads: heads, keyDim: keyDim, valueDim: valueDim)
        stepBody = { q, k, v in mechanism.step(query: q, key: k, value: v, state: &state) }
        reorderBody = { rows in mechanism.reorder(&state, rows: rows) }
    }

    /// One causal step: query, key, value [B, H, D] → output [B, H, Dv]; updates the state.
    public func callAsFunction(query: Tensor, key: Tensor, value: Tensor) -> Tensor { stepBody(query, key, value) }

    /// Sequence n continues old sequence `rows[n]` (beam search).
    public func reorder(rows: [Int]) { reorderBody(rows) }
}

/// A mechanism's prepared memory, type-erased: what cross-attention reads at each decoding step.
public final class AttentionMemory {
    private let attendBody: (Tensor) -> Tensor
    private let gatherBody: ([Int]) -> AttentionMemory

    /// Prepares keys [B, H, S, Dk] and values [B, H, S, Dv] with `keyLengths` real positions for `mechanism`.
    public convenience init<M: AttentionMechanism>(_ mechanism: M, keys: Tensor, values: Tensor, keyLengths: [Int32]) {
        self.init(mechanism, prepared: mechanism.memory(keys: keys, values: values, keyLengths: keyLengths))
    }

    private init<M: AttentionMechanism>(_ mechanism: M, prepared: M.Memory) {
        attendBody = { q in mechanism.attend(query: q, memory: prepared) }
        gatherBody = { rows in AttentionMemory(mechanism, prepared: mechanism.gathering(prepared, rows: rows)) }
    }

    /// One query [B, H, Dk] → [B, H, Dv].
    public func callAsFunction(query: Tensor) -> Tensor { attendBody(query) }

    /// The memory whose row n is this memory's row `rows[n]` (e.g. repeated for beams).
    public func gathering(rows: [Int]) -> AttentionMemory { gatherBody(rows) }
}

extension Tensor {
    /// A copy whose outermost index n holds this tensor's `rows[n]` (no gradient; for decoding).
    public func gatheringRows(_ rows: [Int]) -> Tensor {
        let inner = count / max(shape[0], 1)
        let out = Tensor(uninitializedShape: [rows.count] + shape.dropFirst())
        for (n, r) in rows.enumerated() { (out.pointer + n * inner).update(from: pointer + r * inner, count: inner) }
        return out
    }

    /// For a state laid out [B·H, …] with B = `rows.count`: the copy whose sequence n holds old sequence
    /// `rows[n]` (all its heads).
    public func gatheringSequences(_ rows: [Int]) -> Tensor {
        precondition(!rows.isEmpty && shape[0] % rows.count == 0, "reorder keeps the number of sequences")
        let heads = shape[0] / rows.count
        return gatheringRows(rows.flatMap { r in (0..<heads).map { r * heads + $0 } })
    }
}
