import AttendTensor

/// One attention layer's mechanism: the kind with its own settings (feature map and FAVOR+ features,
/// relative-position bias, dot product, rotary positions). Validated once (`validate(as:field:headDim:)`)
/// and the only factory of mechanisms (`makeMechanism`): layers, caches, benches and the estimator all
/// ask it. JSON keys are the flat glossary of model configs (`attention`, `positionBias`, …), so a
/// config.json of any version decodes into a spec; keys it lacks take the plain-attention defaults.
public struct AttentionSpec: Codable, Sendable, Equatable {
    /// The mechanism (JSON key `attention`).
    public var kind: AttentionKind
    /// Additive per-head score bias (softmax attention only); see `PositionBias`.
    public var positionBias: PositionBias
    /// T5 bucket count (default 32, Raffel et al., 2020).
    public var positionBuckets: Int
    /// Lag where T5's log-spaced buckets end (default 128).
    public var positionMaxDistance: Int
    /// false: W_Q = W_K = 0, so scores come from the position bias alone ("dot-product-free"
    /// attention, Wang & E, NeurIPS 2024); the layer then projects only values (`qkv` is [C, C]).
    public var dotProduct: Bool
    /// FAVOR+ random features per head (`linear-favor` only; Performer, Choromanski et al., 2021).
    public var favorFeatures: Int
    /// Seed of the FAVOR+ Gaussian directions.
    public var favorSeed: UInt64
    /// Draw fresh FAVOR+ directions for every parallel forward pass (each new batch of sequences)
    /// and every generated sequence, instead of keeping one draw (Performer's feature redrawing).
    /// Draws are counted per layer from the layer's creation, so a run is reproducible from its seed,
    /// but a resumed run draws a different sequence than an uninterrupted one.
    public var favorRedraw: Bool
    /// Rotary position embeddings (RoPE, Su et al., 2021) on queries and keys — for linear kinds on
    /// their features φ(q), φ(k) (RoFormer §3.4.2); see `RotaryAttention`.
    public var rotary: Bool

    /// A spec with plain attention as the default for every setting.
    public init(kind: AttentionKind = .softmax, positionBias: PositionBias = .none, positionBuckets: Int = 32,
                positionMaxDistance: Int = 128, dotProduct: Bool = true, favorFeatures: Int = 64, favorSeed: UInt64 = 0,
                favorRedraw: Bool = false, rotary: Bool = false) {
        self.kind = kind
        self.positionBias = positionBias
        self.positionBuckets = positionBuckets
        self.positionMaxDistance = positionMaxDistance
        self.dotProduct = dotProduct
        self.favorFeatures = favorFeatures
        self.favorSeed = favorSeed
        self.favorRedraw = favorRedraw
        self.rotary = rotary
    }

    enum CodingKeys: String, CodingKey {
        case kind = "attention", positionBias, positionBuckets, positionMaxDistance, dotProduct, favorFeatures, favorSeed,
             favorRedraw, rotary
    }

    /// Decodes the flat keys of a config.json; only `attention` is required (settings added in later
    /// versions default to plain attention, so older run folders load unchanged).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(kind: try c.decode(AttentionKind.self, forKey: .kind))
        positionBias = try c.decodeIfPresent(PositionBias.self, forKey: .positionBias) ?? .none
        positionBuckets = try c.decodeIfPresent(Int.self, forKey: .positionBuckets) ?? 32
        positionMaxDistance = try c.decodeIfPresent(Int.self, forKey: .positionMaxDistance) ?? 128
        dotProduct = try c.decodeIfPresent(Bool.self, forKey: .dotProduct) ?? true
        favorFeatures = try c.decodeIfPresent(Int.self, forKey: .favorFeatures) ?? 64
        favorSeed = try c.decodeIfPresent(UInt64.self, forKey: .favorSeed) ?? 0
        favorRedraw = try c.decodeIfPresent(Bool.self, forKey: .favorRedraw) ?? false
        rotary = try c.decodeIfPresent(Bool.self, forKey: .rotary) ?? false
    }
}

/// Where an attention layer sits, which decides what its mechanism must support.
public enum AttentionUse: Sendable {
    /// Causal self-attention of a decoder-only model (a kind without a recurrent form may train; it
    /// cannot generate, see `AttentionKind.requireRecurrentForm`).
    case languageModel
    /// Bidirectional self-attention over a padded source (encoder).
    case encoder
    /// Causal self-attention of an encoder–decoder decoder (must have a recurrent form to decode).
    case decoder
    /// Decoder queries over the encoder output (padded source, no relative positions between them).
    case cross
}

/// A spec that cannot work: the field (a JSON key of the spec, or the config field given for the
/// kind) and what to do.
public struct AttentionSpecError: Error, CustomStringConvertible, Equatable {
    /// The offending field: a JSON key of the spec, or the config field given for the kind (e.g. `encoderAttention`).
    public var field: String
    /// What is wrong and what to do instead.
    public var message: String
    public var description: String { "invalid \(field): \(message)" }
}

extension AttentionSpec {
    /// Checks the settings against the kind and `use`; `field` names the kind in errors (and its CLI
    /// flag, `encoderAttention` ↔ `--encoder-attention`); `headDim` is checked where rotary needs it.
    public func validate(as use: AttentionUse, field: String = "attention", headDim: Int? = nil) throws {
        func fail(_ key: String, _ message: String) -> AttentionSpecError { AttentionSpecError(field: key, message: message) }
        let flag = "--" + field.reduce(into: "") { $0 += $1.isUppercase ? "-" + $1.lowercased() : String($1) }
        let capabilities = kind.capabilities
        if (use == .encoder || use == .cross) && !capabilities.padding {
            throw fail(field, "\(kind.rawValue) cannot attend over a padded source (correlation attention is causal self-attention only; the as-written form mixes padded positions and sentences) — use one of \(AttentionKind.names { $0.padding })")
        }
        if use == .decoder && !capabilities.recurrent {
            throw fail(field, "\(kind.rawValue) reads future target tokens and has no step form for decoding — use one of \(AttentionKind.names { $0.recurrent && $0.causal })")
        }
        if positionBias != .none {
            if use == .cross {
                throw fail("positionBias", "cross-attention has no relative position between a source and a target token — give the bias to self-attention only")
            }
            if kind != .softmax {
                throw fail("positionBias", "\(positionBias.rawValue) is an additive softmax score bias and cannot be combined with \(kind.rawValue) attention (\(field)) — use softmax there (\(flag) softmax), or --position-bias none")
            }
            if positionBias.isBidirectionalOnly && use != .encoder {
                throw fail("positionBias", "\(positionBias.rawValue) gives keys after the query their own buckets, but this attention is causal — use t5 (an encoder gets T5's bidirectional buckets, a causal decoder the causal ones)")
            }
            if positionBias == .t5 || positionBias == .t5Bidirectional {
                if positionBuckets < 4 { throw fail("positionBuckets", "must be at least 4, got \(positionBuckets)") }
                if positionMaxDistance <= positionBuckets / 2 {
                    throw fail("positionMaxDistance", "must exceed positionBuckets / 2 = \(positionBuckets / 2) (the exact buckets), got \(positionMaxDistance)")
                }
            }
        }
        if !dotProduct && positionBias == .none {
            throw fail("dotProduct", "false needs a position bias (the scores come from it alone; without one every key weighs the same) — add --position-bias log-type, lin-type, t5 or alibi, or use --dot-product true")
        }
        if favorFeatures <= 0 { throw fail("favorFeatures", "must be a positive integer, got \(favorFeatures)") }
        if rotary {
            if use == .cross {
                throw fail("rotary", "cross-attention has no relative position between a source and a target token — rotary embeddings apply to self-attention only")
            }
            if !kind.acceptsRotary {
                throw fail("rotary", "rotary embeddings rotate the queries and keys of softmax or linear attention, not \(kind.rawValue) — use one of \(AttentionKind.allCases.filter(\.acceptsRotary).map(\.rawValue).joined(separator: ", ")), or --rotary false")
            }
            if !dotProduct {
                throw fail("rotary", "dot-product-free attention has no queries and keys to rotate — use --dot-product true, or --rotary false")
            }
            if let headDim {
                let width = kind == .linearFavor ? favorFeatures : headDim
                if width % 2 != 0 {
                    throw fail("rotary", "rotary embeddings rotate pairs of channels, so the \(kind == .linearFavor ? "FAVOR+ feature count" : "head width (modelDim / numHeads)") must be even, got \(width)")
                }
            }
        }
    }

    /// The relative-position bias module a layer with this spec owns (its learned parameters), or nil.
    public func makePositionBias(numHeads: Int) -> RelativePositionBias? {
        positionBias == .none ? nil
            : RelativePositionBias(kind: positionBias, numHeads: numHeads, buckets: positionBuckets, maxDistance: positionMaxDistance)
    }

    /// The mechanism this spec describes — the only place mechanisms are constructed. `bias` is the
    /// layer's position-bias module (required when `positionBias` is set); `draw` numbers the FAVOR+
    /// redraw (ignored unless `favorRedraw`).
    public func makeMechanism(positionBias bias: RelativePositionBias? = nil, draw: UInt64 = 0) -> any AttentionMechanism {
        precondition((bias == nil) == (positionBias == .none), "a layer with a position bias passes its bias module")
        var seed = favorSeed
        if favorRedraw {
            var generator = RandomGenerator(seed: favorSeed).derived(draw)
            seed = generator.next()
        }
        switch kind {
        case .softmax:
            if let bias { return rotary ? RotaryAttention(RelativePositionAttention(bias: bias)) : RelativePositionAttention(bias: bias) }
            return rotary ? RotaryAttention(SoftmaxAttention()) : SoftmaxAttention()
        case .linear, .linearRelu, .linearFavor:
            let map: FeatureMap = kind == .linear ? .eluPlusOne : kind == .linearRelu ? .relu : .favor
            let linear = LinearAttention(featureMap: FeatureMapSettings(map, featureCount: favorFeatures, seed: seed))
            return rotary ? RotaryLinearAttention(linear) : linear
        case .correlation:
            return CorrelationAttention()
        case .correlationAsWritten:
            return CorrelationAsWrittenAttention()
        }
    }

    /// What the mechanism supports.
    public var capabilities: AttentionCapabilities { makeMechanism(positionBias: makePositionBias(numHeads: 1)).capabilities }

    /// Throws `AttentionError.noRecurrentForm` unless the mechanism has a recurrent form (generation).
    public func requireRecurrentForm() throws {
        if !capabilities.recurrent { throw AttentionError.noRecurrentForm(kind) }
    }

    /// The mechanism's cost for one sequence of `length` with `heads` heads of width `headDim`.
    public func cost(length: Int, heads: Int, headDim: Int) -> AttentionCost {
        makeMechanism(positionBias: makePositionBias(numHeads: heads)).cost(length: length, heads: heads, headDim: headDim)
    }
}

extension AttentionKind {
    /// Whether rotary embeddings compose with this kind (softmax and the linear kinds).
    public var acceptsRotary: Bool {
        switch self {
        case .softmax, .linear, .linearRelu, .linearFavor: return true
        case .correlation, .correlationAsWritten: return false
        }
    }
}
