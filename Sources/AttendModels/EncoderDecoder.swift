import AttendData
import AttendKernels
import AttendNN
import AttendTensor
import Foundation

/// The encoder–decoder Transformer of "Attention Is All You Need" (Vaswani et al., 2017): a shared
/// token embedding scaled by √modelDim plus sinusoidal positions (dropout on the sum), an encoder
/// stack over the padded source, a decoder stack with causal self-attention and cross-attention to
/// the encoder output, and an output projection tied to the embedding (joint vocabulary, §3.4).
///
/// Each attention role (encoder self, decoder self, cross) may use any `AttentionKind`. With a
/// `positionBias` (softmax self-attention), the encoder self-attention gets the bidirectional
/// relative-position bias and the decoder self-attention the causal one; `positions: .none` drops
/// the sinusoidal table, and `dotProduct: false` makes both self-attentions dot-product-free.
/// Cross-attention is always plain dot-product attention (there is no relative position between a
/// source and a target token). `keyDim` sets the query/key width per head of all three roles (the
/// paper's d_k, Table 3 row (B)).
///
/// `positions: .learned` (Table 3 row (E)) replaces the sinusoids by two trained tables [maxLength,
/// modelDim], `encoderPositions` for the source and `decoderPositions` for the target: source and
/// target positions belong to different sequences with different length statistics, so each side
/// learns its own (as fairseq's `--encoder-learned-pos` / `--decoder-learned-pos`); a shared table
/// would tie them for no reason the paper gives. They start N(0, ½): the same per-entry scale as the
/// sinusoids they replace (sin² and cos² average ½), next to token embeddings of unit scale
/// (N(0, 1/C) × √C), so at step 0 the learned model's input is as position-heavy as the paper's.
///
/// Initialisation: embedding N(0, modelDim^−1), every other matrix Xavier-uniform (as `nn.Transformer`);
/// relative-position parameters keep their own start (T5 tables zero, log-/lin-type scales as in
/// `RelativePositionBias`), and so do the learned position tables.
public final class EncoderDecoder: Module {
    /// The configuration this was built from.
    public let config: EncoderDecoderConfig
    /// Shared source/target/output embedding [vocabSize, modelDim].
    public let embedding: Embedding
    /// The encoder stack, bottom first.
    public let encoderBlocks: [EncoderBlock]
    /// The decoder stack, bottom first.
    public let decoderBlocks: [DecoderBlock]
    /// Final layer norms (pre-LN only; the post-LN stacks end in a norm already).
    public let encoderNorm: LayerNorm?
    /// Final decoder layer norm (pre-LN only).
    public let decoderNorm: LayerNorm?
    /// Sinusoidal position table [maxLength, modelDim] (§3.5; not trained); nil unless `config.positions`
    /// is `.sinusoidal`.
    public let positions: Tensor?
    /// Learned source positions [maxLength, modelDim], added to the encoder input; nil unless
    /// `config.positions` is `.learned`.
    public let encoderPositions: Embedding?
    /// Learned target positions [maxLength, modelDim], added to the decoder input (also per decoding
    /// step); nil unless `config.positions` is `.learned`.
    public let decoderPositions: Embedding?

    /// Standard deviation of the learned position tables at initialisation: √½, the per-entry RMS of the
    /// sinusoidal table (sin² and cos² average ½) they replace.
    public static let learnedPositionStd: Float = (0.5 as Float).squareRoot()

    /// Builds the model with weights drawn from `rng`; throws when the configuration is invalid.
    public init(_ config: EncoderDecoderConfig, rng: inout RandomGenerator) throws {
        try config.validate()
        self.config = config
        let c = config
        embedding = Embedding(c.vocabSize, c.modelDim, std: 1 / Float(c.modelDim).squareRoot(), rng: &rng)
        encoderBlocks = (0..<c.numEncoderLayers).map { _ in
            EncoderBlock(modelDim: c.modelDim, numHeads: c.numHeads, hiddenDim: c.hiddenDim, attention: c.encoderAttentionSpec,
                         activation: c.activation, bias: c.bias,
                         placement: c.normPlacement, dropout: c.dropout, keyDim: c.keyDim, rng: &rng)
        }
        decoderBlocks = (0..<c.numDecoderLayers).map { _ in
            DecoderBlock(modelDim: c.modelDim, numHeads: c.numHeads, hiddenDim: c.hiddenDim, selfAttention: c.decoderAttentionSpec,
                         crossAttention: c.crossAttentionSpec,
                         activation: c.activation, bias: c.bias, placement: c.normPlacement, dropout: c.dropout,
                         keyDim: c.keyDim, rng: &rng)
        }
        encoderNorm = c.normPlacement == .pre ? LayerNorm(c.modelDim, bias: c.bias) : nil
        decoderNorm = c.normPlacement == .pre ? LayerNorm(c.modelDim, bias: c.bias) : nil
        positions = c.positions == .sinusoidal ? Self.sinusoidalPositions(length: c.maxLength, dim: c.modelDim) : nil
        let learned = c.positions == .learned
        encoderPositions = learned ? Embedding(c.maxLength, c.modelDim, std: Self.learnedPositionStd, rng: &rng) : nil
        decoderPositions = learned ? Embedding(c.maxLength, c.modelDim, std: Self.learnedPositionStd, rng: &rng) : nil
        let keep = [embedding.weight, encoderPositions?.weight, decoderPositions?.weight].compactMap { $0 }
        for (name, p) in namedParameters()
        where p.rank == 2 && !keep.contains(where: { $0 === p }) && !name.contains(".positionBias.") {
            let bound = (6 / Float(p.shape[0] + p.shape[1])).squareRoot()
            p.copyValues(from: Tensor.uniform(p.shape, low: -bound, high: bound, rng: &rng))
        }
    }

    /// Sub-modules in forward order (checkpoint key prefixes).
    public var children: [(name: String, module: any Module)] {
        var list: [(name: String, module: any Module)] = [("embedding", embedding)]
        if let encoderPositions { list.append(("encoderPositions", encoderPositions)) }
        if let decoderPositions { list.append(("decoderPositions", decoderPositions)) }
        for (i, b) in encoderBlocks.enumerated() { list.append(("encoder.\(i)", b)) }
        if let encoderNorm { list.append(("encoderNorm", encoderNorm)) }
        for (i, b) in decoderBlocks.enumerated() { list.append(("decoder.\(i)", b)) }
        if let decoderNorm { list.append(("decoderNorm", decoderNorm)) }
        return list
    }

    /// PE[pos, 2i] = sin(pos/10000^(2i/C)), PE[pos, 2i+1] = cos(pos/10000^(2i/C)) → [length, C].
    public static func sinusoidalPositions(length: Int, dim: Int) -> Tensor {
        let t = Tensor(uninitializedShape: [length, dim])
        for pos in 0..<length {
            for i in stride(from: 0, to: dim, by: 2) {
                let angle = Double(pos) / pow(10000, Double(i) / Double(dim))
                t.pointer[pos * dim + i] = Float(sin(angle))
                if i + 1 < dim { t.pointer[pos * dim + i + 1] = Float(cos(angle)) }
            }
        }
        return t
    }

    /// Token embeddings × √C plus the positions starting at `offset` (the sinusoids, or the side's
    /// learned table `learned`; none with `positions: .none`), then dropout: ids [B, T] → [B, T, C].
    func embed(_ ids: [Int32], batch: Int, length: Int, offset: Int = 0, learned: Embedding?, context: ForwardContext) -> Tensor {
        precondition(offset + length <= config.maxLength, "sequence of \(offset + length) tokens exceeds maxLength \(config.maxLength)")
        var x = embedding(ids, shape: [batch, length]) * Float(config.modelDim).squareRoot()
        if let positions { x = x + positions.sliced(offset..<(offset + length), along: 0) }
        if let learned { x = x + learned((offset..<(offset + length)).map { Int32($0) }, shape: [length]) }
        return context.dropout(x, config.dropout)
    }

    /// Encoder output [B, S, C] for padded sources [B, S] with `sourceLengths[b]` real tokens each.
    public func encode(source: [Int32], batch: Int, length: Int, sourceLengths: [Int32], context: ForwardContext) -> Tensor {
        var x = embed(source, batch: batch, length: length, learned: encoderPositions, context: context)
        for block in encoderBlocks { x = block(x, sourceLengths: sourceLengths, context: context) }
        if let encoderNorm { x = encoderNorm(x) }
        return x
    }

    /// Next-token logits [B, T, vocabSize] for target inputs [B, T] given the encoder output.
    public func decode(targetInput: [Int32], batch: Int, length: Int, memory: Tensor, sourceLengths: [Int32],
                       context: ForwardContext) -> Tensor {
        var x = embed(targetInput, batch: batch, length: length, learned: decoderPositions, context: context)
        for block in decoderBlocks { x = block(x, memory: memory, sourceLengths: sourceLengths, context: context) }
        if let decoderNorm { x = decoderNorm(x) }
        return Tensor.linear(x, weight: embedding.weight)
    }

    /// Logits [B, T, vocabSize] for a batch (teacher forcing).
    public func callAsFunction(_ batch: TranslationBatch, context: ForwardContext) -> Tensor {
        let memory = encode(source: batch.source, batch: batch.batchSize, length: batch.sourceLength,
                            sourceLengths: batch.sourceLengths, context: context)
        return decode(targetInput: batch.targetInput, batch: batch.batchSize, length: batch.targetLength, memory: memory,
                      sourceLengths: batch.sourceLengths, context: context)
    }

    /// Mean label-smoothed cross-entropy per real target token (padding ignored).
    public func loss(_ batch: TranslationBatch, smoothing: Float, context: ForwardContext) -> Tensor {
        Tensor.labelSmoothedCrossEntropy(logits: self(batch, context: context), targets: batch.targetOutput, smoothing: smoothing)
    }

    /// Incremental decoding state: one `AttentionStepper` per decoder layer (the recurrent state every
    /// kind keeps, as in decoder-only generation) and the cross-attention memories the mechanisms
    /// prepared from the encoder output. A step runs the kernels on a residual-stream buffer and the
    /// preallocated `StepScratch`; with `WeightPrecision.bfloat16` the weight matrices are read from
    /// bfloat16 copies taken when the decoder is made.
    public final class Decoder {
        let model: EncoderDecoder
        let steppers: [AttentionStepper]
        let memories: [AttentionMemory]
        let scratch: StepScratch
        /// The residual stream [B, C] of the position being processed.
        private let stream: UnsafeMutablePointer<Float>
        /// Sequences decoded in parallel.
        public let batch: Int
        /// How the weight matrices are read.
        public let precision: WeightPrecision
        /// Positions consumed so far.
        public private(set) var position = 0

        init(model: EncoderDecoder, memory: Tensor, sourceLengths: [Int32], rows: [Int], precision: WeightPrecision) {
            self.model = model
            self.precision = precision
            batch = rows.count
            steppers = model.decoderBlocks.map { $0.selfAttention.makeStepper(batch: rows.count) }
            let identity = rows == Array(0..<rows.count) && memory.shape[0] == rows.count
            memories = model.decoderBlocks.map { block in
                let m = block.crossAttention.precompute(memory: memory, sourceLengths: sourceLengths)
                return identity ? m : m.gathering(rows: rows)
            }
            let c = model.config
            scratch = StepScratch(batch: rows.count, modelDim: c.modelDim, hiddenDim: c.hiddenDim,
                                  projectionWidth: 2 * c.numHeads * c.effectiveKeyDim + c.modelDim)
            for block in model.decoderBlocks { block.prepareStep(precision, in: scratch) }
            if precision == .bfloat16 { scratch.useBFloat16(for: model.embedding.weight) }
            stream = .allocate(capacity: rows.count * model.config.modelDim)
        }

        deinit { stream.deallocate() }

        /// Feeds one token per sequence at the next position; returns logits [batch, vocabSize],
        /// equal to the parallel form's row at that position.
        public func step(_ tokens: [Int32]) -> Tensor {
            precondition(tokens.count == batch, "step expects one token per sequence")
            precondition(position < model.config.maxLength, "position \(position) is past maxLength \(model.config.maxLength)")
            let (c, vocab) = (model.config.modelDim, model.config.vocabSize)
            let table = model.embedding.weight.pointer, scale = Float(c).squareRoot()
            for (r, id) in tokens.enumerated() {
                precondition(id >= 0 && Int(id) < vocab, "token id \(id) outside vocabulary of \(vocab)")
                let row = stream + r * c
                for i in 0..<c { row[i] = table[Int(id) * c + i] * scale }  // embedding · √C
                if let positions = model.positions { add(row, positions.pointer + position * c, row, count: c) }
                if let learned = model.decoderPositions { add(row, learned.weight.pointer + position * c, row, count: c) }
            }
            withoutGradients {
                for (i, block) in model.decoderBlocks.enumerated() {
                    block.step(stream, stepper: steppers[i], memory: memories[i], scratch: scratch)
                }
            }
            model.decoderNorm?.apply(stream, rows: batch, into: stream, scratch: scratch)
            position += 1
            let logits = Tensor(uninitializedShape: [batch, vocab])
            scratch.multiply(stream, by: model.embedding.weight, into: logits.pointer)
            return logits
        }

        /// Reorders the sequences: sequence n continues old sequence `rows[n]` (beam search).
        public func reorder(rows: [Int]) {
            precondition(rows.count == batch, "reorder keeps the number of sequences")
            for stepper in steppers { stepper.reorder(rows: rows) }
        }
    }

    /// Starts incremental decoding against an encoder output [B, S, C]; decoder row n reads source
    /// row `rows[n]` (default: row n), so beams can share one encoding.
    /// `precision` selects how the decoder reads the weight matrices.
    public func makeDecoder(memory: Tensor, sourceLengths: [Int32], rows: [Int]? = nil,
                            precision: WeightPrecision = .float32) -> Decoder {
        Decoder(model: self, memory: memory, sourceLengths: sourceLengths, rows: rows ?? Array(0..<memory.shape[0]),
                precision: precision)
    }
}
