/// Options of a `MultiHeadAttention` layer beyond its `AttentionKind`: relative positions,
/// dot-product-free attention and FAVOR+ features. The defaults are plain attention.
public struct AttentionSettings: Sendable, Equatable {
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

    /// Settings with plain attention as the default for every field.
    public init(positionBias: PositionBias = .none, positionBuckets: Int = 32, positionMaxDistance: Int = 128,
                dotProduct: Bool = true, favorFeatures: Int = 64, favorSeed: UInt64 = 0, favorRedraw: Bool = false) {
        self.positionBias = positionBias
        self.positionBuckets = positionBuckets
        self.positionMaxDistance = positionMaxDistance
        self.dotProduct = dotProduct
        self.favorFeatures = favorFeatures
        self.favorSeed = favorSeed
        self.favorRedraw = favorRedraw
    }
}
