/// Every attention mechanism Attend implements (a closed set: adding one is one file, one case here
/// and one arm in `AttentionSpec.makeMechanism`; the shared tests pick it up through `allCases`).
public enum AttentionKind: String, Codable, CaseIterable, Sendable {
    /// Scaled dot-product softmax attention (Vaswani et al., 2017).
    case softmax
    /// Linear attention with φ(x) = elu(x) + 1 (Katharopoulos et al., 2020).
    case linear
    /// Linear attention with φ(x) = relu(x).
    case linearRelu = "linear-relu"
    /// Linear attention with FAVOR+ random features (Performer; 64 features, seed 0 by default).
    case linearFavor = "linear-favor"
    /// Causal correlation attention: softmax over s ≤ t of the prefix-restricted Q–K cross-correlation
    /// at lag t − s (after Leviathan, Y. Srivastava); see `CorrelationAttention`.
    case correlation
    /// Leviathan's correlation attention as published: an N-D correlation over the whole [B, H, T, D]
    /// tensor, no causal mask — reads future tokens and other sequences; no generation.
    /// See `CorrelationAsWrittenAttention`.
    case correlationAsWritten = "correlation-as-written"
}

extension AttentionKind {
    /// The plain mechanism of this kind (default settings), from `AttentionSpec`, the only factory.
    public var mechanism: any AttentionMechanism { AttentionSpec(kind: self).makeMechanism() }

    /// What this kind can do with default settings (see `AttentionCapabilities`).
    public var capabilities: AttentionCapabilities { mechanism.capabilities }

    /// Whether this kind has a recurrent (one token at a time) form, so `attend generate` and
    /// `DecoderOnly.makeStepper` can use it (`capabilities.recurrent`).
    public var supportsGeneration: Bool { capabilities.recurrent }

    /// Throws `AttentionError.noRecurrentForm` unless `supportsGeneration`.
    public func requireRecurrentForm() throws {
        if !supportsGeneration { throw AttentionError.noRecurrentForm(self) }
    }

    /// Kinds whose capabilities satisfy `condition`, as the comma-separated list error messages show.
    static func names(where condition: (AttentionCapabilities) -> Bool) -> String {
        allCases.filter { condition($0.capabilities) }.map(\.rawValue).joined(separator: ", ")
    }
}

/// An attention kind used where it cannot work.
public enum AttentionError: Error, CustomStringConvertible, Equatable {
    /// Generation was asked of a kind without a recurrent form.
    case noRecurrentForm(AttentionKind)

    public var description: String {
        switch self {
        case let .noRecurrentForm(kind):
            return "attention '\(kind.rawValue)' cannot generate: it has no recurrent form (its output at t reads tokens after t). "
                + "Train with one of: \(AttentionKind.names { $0.recurrent })"
        }
    }
}
