import AttendKernels
import AttendNN
import AttendTensor

/// A GPT-style decoder-only language model: token + learned position embeddings, a stack of causal
/// Transformer blocks, a final layer norm and a (optionally tied) output projection
/// (Radford et al., 2019; nanoGPT's `model.py`). With `positions: .none` there is no position table,
/// and a `positionBias` gives every attention layer relative positions instead.
public final class DecoderOnly: Module {
    /// The configuration the model was built from (validated).
    public let config: ModelConfig
    /// Token embeddings [vocabSize, modelDim]; also the output projection when `config.tieWeights` is true.
    public let tokenEmbedding: Embedding
    /// Learned absolute positions [contextLength, modelDim]; nil when `config.positions` is `.none`.
    public let positionEmbedding: Embedding?
    /// The `config.numLayers` Transformer blocks, applied in order with a causal mask.
    public let blocks: [TransformerBlock]
    /// Layer normalisation applied after the last block, before the output projection.
    public let finalNorm: LayerNorm
    /// Untied output projection [vocab, modelDim]; nil when tied to `tokenEmbedding`.
    public let head: Linear?

    /// Builds the model with GPT-2 initialisation drawn from `rng`.
    public init(_ config: ModelConfig, rng: inout RandomGenerator) throws {
        try config.validate()
        self.config = config
        tokenEmbedding = Embedding(config.vocabSize, config.modelDim, rng: &rng)
        positionEmbedding = config.positions == .learned ? Embedding(config.contextLength, config.modelDim, rng: &rng) : nil
        var blocks: [TransformerBlock] = []
        for _ in 0..<config.numLayers {
            blocks.append(TransformerBlock(modelDim: config.modelDim, numHeads: config.numHeads, hiddenDim: config.hiddenDim,
                                           numLayers: config.numLayers, attention: config.attentionSpec, activation: config.activation,
                                           bias: config.bias, placement: config.normPlacement, dropout: config.dropout, rng: &rng))
        }
        self.blocks = blocks
        finalNorm = LayerNorm(config.modelDim, bias: config.bias)
        head = config.tieWeights ? nil : Linear(config.modelDim, config.vocabSize, bias: false, rng: &rng)
    }

    public var children: [(name: String, module: any Module)] {
        var list: [(name: String, module: any Module)] = [("tokenEmbedding", tokenEmbedding)]
        if let positionEmbedding { list.append(("positionEmbedding", positionEmbedding)) }
        for (i, b) in blocks.enumerated() { list.append(("blocks.\(i)", b)) }
        list.append(("finalNorm", finalNorm))
        if let head { list.append(("head", head)) }
        return list
    }

    /// Next-token logits [B, T, vocab] for `tokens` laid out [B, T] (T ≤ contextLength).
    public func callAsFunction(_ tokens: [Int32], batch: Int, length: Int, context: ForwardContext) -> Tensor {
        precondition(length <= config.contextLength, "sequence of \(length) exceeds contextLength \(config.contextLength)")
        var x = tokenEmbedding(tokens, shape: [batch, length])
        if let positionEmbedding { x = x + positionEmbedding((0..<Int32(length)).map { $0 }, shape: [length]) }
        x = context.dropout(x, config.dropout)
        for block in blocks { x = block(x, mask: .causal, context: context) }
        x = finalNorm(x)
        return Tensor.linear(x, weight: headWeight)
    }

    /// Mean next-token cross-entropy of `inputs` predicting `targets` (both [B, T]).
    public func loss(inputs: [Int32], targets: [Int32], batch: Int, length: Int, context: ForwardContext) -> Tensor {
        Tensor.crossEntropy(logits: self(inputs, batch: batch, length: length, context: context), targets: targets)
    }

    /// Recurrent inference state: one attention state per block, advanced one position per `step`.
    ///
    /// A step runs the kernels directly on a residual-stream buffer and preallocated scratch
    /// (`StepScratch`); only the attention core sees tensors. With `WeightPrecision.bfloat16` the weight
    /// matrices are read from bfloat16 copies taken when the stepper is made.
    public final class Stepper {
        let model: DecoderOnly
        let attention: [AttentionStepper]
        let batch: Int
        let scratch: StepScratch
        /// The residual stream [B, C] of the position being processed.
        private let stream: UnsafeMutablePointer<Float>
        /// Positions consumed so far.
        public private(set) var position = 0

        /// How the weight matrices are read.
        public let precision: WeightPrecision

        init(model: DecoderOnly, batch: Int, precision: WeightPrecision) {
            self.model = model
            self.batch = batch
            self.precision = precision
            attention = model.blocks.map { $0.attention.makeStepper(batch: batch) }
            scratch = StepScratch(batch: batch, modelDim: model.config.modelDim, hiddenDim: model.config.hiddenDim)
            for block in model.blocks { block.prepareStep(precision, in: scratch) }
            if precision == .bfloat16 { scratch.useBFloat16(for: model.headWeight) }
            stream = .allocate(capacity: batch * model.config.modelDim)
        }

        deinit { stream.deallocate() }

        /// Feeds one token per sequence (`tokens.count == batch`) at the next position; returns the
        /// next-token logits [batch · vocab], equal to the parallel form's last row.
        public func step(_ tokens: [Int32]) -> [Float] {
            precondition(tokens.count == batch, "step expects one token per sequence")
            precondition(position < model.config.contextLength, "position \(position) is past contextLength")
            let (c, vocab) = (model.config.modelDim, model.config.vocabSize)
            let table = model.tokenEmbedding.weight.pointer
            for (r, id) in tokens.enumerated() {
                precondition(id >= 0 && Int(id) < vocab, "token id \(id) outside vocabulary of \(vocab)")
                (stream + r * c).update(from: table + Int(id) * c, count: c)
                if let positions = model.positionEmbedding {
                    add(stream + r * c, positions.weight.pointer + position * c, stream + r * c, count: c)
                }
            }
            for (block, stepper) in zip(model.blocks, attention) { block.step(stream, stepper: stepper, scratch: scratch) }
            model.finalNorm.apply(stream, rows: batch, into: stream, scratch: scratch)
            position += 1
            return [Float](unsafeUninitializedCapacity: batch * vocab) { logits, filled in
                scratch.multiply(stream, by: model.headWeight, into: logits.baseAddress!)
                filled = batch * vocab
            }
        }
    }

    /// A fresh recurrent inference state for `batch` sequences, reading the weight matrices in
    /// `precision`; throws `AttentionError.noRecurrentForm` for an attention kind without a recurrent
    /// form (`correlation-as-written`).
    public func makeStepper(batch: Int, precision: WeightPrecision = .float32) throws -> Stepper {
        try config.attentionSpec.requireRecurrentForm()
        return Stepper(model: self, batch: batch, precision: precision)
    }

    /// The output projection [vocab, modelDim]: the head, or the token embedding when tied.
    var headWeight: Tensor { head?.weight ?? tokenEmbedding.weight }

    /// Parameters that get weight decay: matrices and embeddings (rank ≥ 2), not biases or norms (nanoGPT),
    /// nor relative-position parameters (a T5 bucket table is a per-head bias, not a weight matrix).
    public func decayedParameterNames() -> Set<String> {
        Set(namedParameters().filter { $0.tensor.rank >= 2 && !$0.name.contains(".positionBias.") }.map(\.name))
    }
}
