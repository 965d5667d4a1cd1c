import Attend
import AttendTestSupport
import Foundation
import Testing

/// Random ±1 inputs [B, T] from `seed`.
func signs(_ count: Int, seed: UInt64) -> [Float] {
    var rng = RandomGenerator(seed: seed)
    return (0..<count).map { _ in rng.nextInt(below: 2) == 0 ? -1 : 1 }
}

/// A model with its position-bias scales moved off their start (so tests see a non-trivial bias).
func regressionModel(_ c: RegressionTransformerConfig, seed: UInt64 = 3) throws -> RegressionTransformer {
    var rng = RandomGenerator(seed: seed)
    let model = try RegressionTransformer(c, rng: &rng)
    for a in model.attention { if let w = a.positionBias?.weight { for i in 0..<w.count { w[flat: i] += 0.3 * Float(i) - 0.2 } } }
    return model
}

/// Sets a parameter's values.
func set(_ t: Tensor, _ values: [Float]) {
    precondition(t.count == values.count, "\(t.shape) takes \(t.count) values")
    for (i, v) in values.enumerated() { t[flat: i] = v }
}

@Suite("Wang & E regression model and targets")
struct RegressionTransformerTests {
    static let configs: [RegressionTransformerConfig] = [
        .init(numHeads: 2, modelDim: 4, hiddenDim: 0, positionBias: .logType),
        .init(numHeads: 3, modelDim: 4, headDim: 2, hiddenDim: 5, positionBias: .linType),
        .init(numHeads: 2, modelDim: 4, headDim: 3, hiddenDim: 5, dotProduct: true, positionBias: .logType),
        .init(numHeads: 2, modelDim: 4, hiddenDim: 0, dotProduct: true, positionBias: .t5),
        .init(numLayers: 2, numHeads: 2, modelDim: 4, hiddenDim: 3, dotProduct: true, positionBias: .linType),
        .init(numLayers: 3, numHeads: 2, modelDim: 4, hiddenDim: 0, positionBias: .logType),
        .init(numHeads: 0, modelDim: 4, hiddenDim: 5),
    ]

    @Test("the last-row path equals the full T×T computation of the same weights: outputs and every gradient", arguments: configs.indices)
    func lastRowMatchesFull(_ i: Int) throws {
        let model = try regressionModel(Self.configs[i])
        let (b, t) = (3, 9)
        let x = signs(b * t, seed: 7 + UInt64(i)), y: [Float] = [0.5, -1, 2]
        func run(_ f: () -> Tensor) -> (out: [Float], grads: [[Float]]) {
            for (_, p) in model.namedParameters() { p.grad = nil }
            Tape.current.reset()
            let out = f()
            let error = out - Tensor(y, shape: [b])
            (error * error).mean().backward()
            let grads = model.namedParameters().map { $0.tensor.grad?.scalars ?? [Float](repeating: 0, count: $0.tensor.count) }
            return (out.scalars, grads)
        }
        let fast = run { model(x, batch: b, length: t) }
        let full = run { model.reference(x, batch: b, length: t) }
        for (a, r) in zip(fast.out, full.out) { #expect(abs(a - r) <= 1e-5 * max(1, abs(r)), "output \(a) vs \(r)") }
        for (name, (ga, gr)) in zip(model.namedParameters().map(\.name), zip(fast.grads, full.grads)) {
            for (a, r) in zip(ga, gr) { #expect(abs(a - r) <= 2e-5 * max(1, abs(r)), "\(name): \(a) vs \(r)") }
        }
        let moved = fast.grads.flatMap { $0 }.map(abs).max() ?? 0
        #expect(moved > 1e-3, "the loss should depend on the weights")
    }

    @Test("the last-row path's gradients match central finite differences (DP and DP-free)", arguments: [1, 2, 4])
    func finiteDifferences(_ i: Int) throws {
        let model = try regressionModel(Self.configs[i])
        let (b, t) = (2, 6)
        let x = signs(b * t, seed: 11)
        checkGradients(model.namedParameters().map(\.tensor), epsilon: 1e-2, tolerance: 2e-2) { _ in model(x, batch: b, length: t) }
    }

    @Test("index conventions: positions are 1-based, read at t = T; memory lags 952/944/901 (τ = 953/945/902) at T = 1000")
    func indexConventions() throws {
        let sum = try MemoryRegressionData(target: .sparseSum, length: 1000)
        #expect(sum.positions == [48, 56, 99])
        #expect(sum.positions.map { 1000 - $0 } == [952, 944, 901])
        #expect(sum.positions.map { RelativePositionBias.lag(query: 999, key: $0 - 1) } == [953, 945, 902])
        var x = [Float](repeating: -1, count: 1000)
        x[47] = 1; x[55] = 1  // x_48 = x_56 = +1, x_99 = −1
        #expect(sum.value(x[...]) == 1)
        x[98] = 1; x[48] = 1  // x_99 = +1; x_49 is not read
        #expect(sum.value(x[...]) == 3)
        let power = try MemoryRegressionData(target: .powerDecay, length: 1000)
        #expect(power.memory[999] == 1 && abs(power.memory[0] - 1 / 1000.0.squareRoot()) < 1e-12)  // ρ(1001 − s) at s = 1000 and s = 1
        let one = (0..<1000).map { Float($0 == 999 ? 1 : 0) }
        #expect(power.value(one[...]) == 1)
        let decay = try MemoryRegressionData(target: .exponentialDecay, length: 1000)
        #expect(abs(decay.value(one[...]) - Float(exp(-5.0))) < 1e-9)
        let readout = try MemoryRegressionData(target: .memoryReadout, length: 1000, targetSeed: 4)
        #expect(readout.positions == [99] && readout.readoutWeights.count == 64)
        var z = [Float](repeating: 1, count: 1000)
        let plus = readout.value(z[...])
        z[98] = -1
        let minus = readout.value(z[...])
        let expected = readout.readoutWeights.reduce(Float(0)) { $0 + max($1[0], 0) }
        #expect(abs(plus - expected) < 1e-4 && abs(minus - (readout.readoutWeights.reduce(Float(0)) { $0 + max(-$1[0], 0) })) < 1e-4)
        z = [Float](repeating: 1, count: 1000); z[0] = -1  // x_1 is not read by 2a
        #expect(readout.value(z[...]) == plus)
        #expect(throws: RegressionDataError.self) { try MemoryRegressionData(target: .sparseSum, length: 64) }
    }

    @Test("Task II: y = x_t·x_{t−g(x_t)}·x_{t−g(x_{t−g(x_t)})}, g(1) = 1, g(−1) = 2, at t = T")
    func adaptiveMemory() throws {
        let data = try MemoryRegressionData(target: .adaptiveMemory, length: 5)
        // y from (x_3, x_4, x_5) at t = 5, worked by hand: i₁ = 5 − g(x_5), i₂ = 5 − g(x_{i₁}), y = x_5·x_{i₁}·x_{i₂}.
        func y(_ x3: Float, _ x4: Float, _ x5: Float) -> Float { data.value([1, 1, x3, x4, x5][...]) }
        #expect(y(1, 1, 1) == 1)      // i₁ = 4, x_4 = 1 → i₂ = 4: 1·1·1
        #expect(y(1, -1, 1) == -1)    // i₁ = 4, x_4 = −1 → i₂ = 3: 1·(−1)·1
        #expect(y(-1, 1, -1) == -1)   // i₁ = 3, x_3 = −1 → i₂ = 3: (−1)·(−1)·(−1)
        #expect(y(1, 1, -1) == -1)    // i₁ = 3, x_3 = 1 → i₂ = 4: (−1)·1·1
        #expect(y(1, -1, -1) == 1)    // i₁ = 3, x_3 = 1 → i₂ = 4: (−1)·1·(−1)
        #expect(throws: RegressionDataError.self) { try MemoryRegressionData(target: .adaptiveMemory, length: 2) }
    }

    @Test("sizes that cannot work are refused before anything is allocated, naming the field")
    func refusesImpossibleSizes() throws {
        #expect(throws: ConfigError.self) { try RegressionTransformerConfig(numHeads: 100_000, modelDim: 100_000, headDim: 1_000).validate() }
        #expect(throws: ConfigError.self) { try RegressionTransformerConfig(numHeads: -1, modelDim: 4).validate() }
        #expect(throws: ConfigError.self) { try RegressionTransformerConfig(numHeads: 1, modelDim: 4, positionBias: .t5Bidirectional).validate() }
        var buckets = RegressionTransformerConfig(numHeads: 1, modelDim: 4, positionBias: .logType)
        buckets.positionBuckets = 64
        #expect(throws: ConfigError.invalid(field: "positionBuckets", message: "only T5 buckets have a bucket count and a maximum distance; set positionBias to t5 or drop the field")) { try buckets.validate() }
        buckets.positionBias = .t5
        buckets.positionMaxDistance = 32
        do { try buckets.validate(); Issue.record("maxDistance 32 ≤ 64 / 2 was accepted") } catch let ConfigError.invalid(field, message) {
            #expect(field == "positionMaxDistance" && message.contains("exceed positionBuckets / 2 = 32"), "\(field): \(message)")
        }
        buckets.positionMaxDistance = 33
        #expect(throws: Never.self) { try buckets.validate() }
        #expect(throws: RegressionDataError.self) { try MemoryRegressionData(target: .sparseSum, length: 20_000_000) }
        let data = try MemoryRegressionData(target: .powerDecay, length: 1_000_000)
        var t = TrainConfig()
        t.batchSize = 1_000_000
        t.maxSteps = 1; t.decaySteps = 1; t.warmupSteps = 0
        do {
            _ = try RegressionTask(model: .init(numHeads: 64, modelDim: 4, dotProduct: true), training: t, data: data, validationSequences: 1)
            Issue.record("expected the activation check to refuse a batch of 10^12 tokens")
        } catch let ConfigError.invalid(field, message) {
            #expect(field == "batchSize" && message.contains("GiB"), "\(field): \(message)")
        }
    }

    /// The 1-layer DP-free model with H = 1, D = 2, head width 1 and a linear read-out, built by hand:
    /// W_E = e₁, b_E = 0, W_V = e₁ᵀ (v_s = x_s), W_O = Z·e₂ (the head writes Z·z into the second coordinate),
    /// read-out w = e₂, and bias scale p. With softmax weights a(τ) = e^{p·φ(τ)} / Z' the prediction is Z·Σ_τ a(τ)x,
    /// which equals Σ_τ ρ(τ) x exactly when e^{p·φ(τ)} = ρ(τ) and Z = Z' = Σ_{τ=1}^{T} ρ(τ) (the normaliser is a
    /// constant of the fixed T, so W_O undoes it).
    func handBuilt(_ bias: PositionBias, p: Double, normaliser: Double) throws -> RegressionTransformer {
        var rng = RandomGenerator(seed: 1)
        let model = try RegressionTransformer(.init(numHeads: 1, modelDim: 2, headDim: 1, hiddenDim: 0, positionBias: bias), rng: &rng)
        set(model.embed.weight, [1, 0]); set(model.embed.bias!, [0, 0])
        let a = model.attention[0]
        set(a.value.weight, [1, 0]); set(a.output.weight, [0, Float(normaliser)])
        set(a.positionBias!.weight!, [Float(log(p))])
        set(model.readoutUp.weight, [0, 1]); set(model.readoutUp.bias!, [0])
        return model
    }

    @Test("4a by hand: log-type, H = 1, p = 0.5 realises ρ(τ) = τ^−0.5 at T = 1000 (MSE ≤ 1e-8, the paper's < 1e-5)")
    func powerDecayConstruction() throws {
        let data = try MemoryRegressionData(target: .powerDecay, length: 1000)
        let z = (1...1000).reduce(0.0) { $0 + pow(Double($1), -0.5) }
        let model = try handBuilt(.logType, p: 0.5, normaliser: z)
        var rng = RandomGenerator(seed: 2)
        let b = data.batch(50, rng: &rng)
        let mse = Double(withoutGradients { model.loss(inputs: b.inputs, targets: b.targets, batch: b.batch, length: b.length).item })
        // Float32 rounding: each weight a(τ) carries ≲ 1e-6 relative error, so |ŷ − y| ≲ 1e-6·Σρ ≈ 6e-5 at worst, MSE ≲ 4e-9
        // (measured: ~1e-12).
        #expect(mse <= 1e-8, "MSE \(mse)")
        let variance = b.targets.reduce(0) { $0 + Double($1 * $1) } / 50
        #expect(variance > 3, "the target has variance ≈ Σ 1/τ ≈ 7.5, got \(variance)")
        // The wrong bias type cannot: lin-type with the same construction and its best single scale stays far off.
        let lin = try handBuilt(.linType, p: 0.01, normaliser: z)
        let linMSE = Double(withoutGradients { lin.loss(inputs: b.inputs, targets: b.targets, batch: b.batch, length: b.length).item })
        #expect(linMSE > 1, "lin-type MSE \(linMSE)")
    }

    @Test("4b by hand: lin-type, H = 1, p = 5 realises ρ(τ) = e^−5τ at T = 1000 (relative MSE ≤ 1e-8)")
    func exponentialDecayConstruction() throws {
        let data = try MemoryRegressionData(target: .exponentialDecay, length: 1000)
        let z = (1...1000).reduce(0.0) { $0 + exp(-5 * Double($1)) }
        let model = try handBuilt(.linType, p: 5, normaliser: z)
        var rng = RandomGenerator(seed: 2)
        let b = data.batch(50, rng: &rng)
        let mse = Double(withoutGradients { model.loss(inputs: b.inputs, targets: b.targets, batch: b.batch, length: b.length).item })
        let variance = exp(-10.0) / (1 - exp(-10.0))  // Σ_τ e^−10τ
        #expect(mse / variance <= 1e-8, "relative MSE \(mse / variance)")
    }

    @Test("2b by hand: a learned bias per lag (T5, 2T buckets, every lag exact) lets one head average x_48, x_56, x_99 at T = 1000")
    func perLagBiasConstruction() throws {
        let t = 1000
        let data = try MemoryRegressionData(target: .sparseSum, length: t)
        var c = RegressionTransformerConfig(numHeads: 1, modelDim: 2, headDim: 1, hiddenDim: 0, positionBias: .t5)
        c.positionBuckets = 2 * t
        c.positionMaxDistance = t + 1
        try c.validate()
        var rng = RandomGenerator(seed: 1)
        let model = try RegressionTransformer(c, rng: &rng)
        set(model.embed.weight, [1, 0]); set(model.embed.bias!, [0, 0])
        let a = model.attention[0]
        set(a.value.weight, [1, 0]); set(a.output.weight, [0, 3])  // the head's average of three lags, times 3
        set(model.readoutUp.weight, [0, 1]); set(model.readoutUp.bias!, [0])
        let bias = a.positionBias!.weight!
        #expect(bias.shape == [1, 2 * t])
        for i in 0..<bias.count { bias[flat: i] = 0 }
        var seen = Set<Int>()
        for s in [48, 56, 99] {
            let bucket = RelativePositionBias.bucket(relativePosition: -(t - s), bidirectional: false, buckets: 2 * t, maxDistance: t + 1)
            bias[flat: bucket] = 40  // e^40 against 997 others at e^0: the rest weigh ~4e-15
            seen.insert(bucket)
        }
        #expect(seen.count == 3, "the three lags must fall in three buckets")
        // Every lag below T is its own bucket.
        let all = Set((0..<t).map { RelativePositionBias.bucket(relativePosition: -$0, bidirectional: false, buckets: 2 * t, maxDistance: t + 1) })
        #expect(all.count == t)
        var g = RandomGenerator(seed: 2)
        let b = data.batch(50, rng: &g)
        let mse = Double(withoutGradients { model.loss(inputs: b.inputs, targets: b.targets, batch: b.batch, length: b.length).item })
        #expect(mse <= 1e-8, "MSE \(mse)")
        // With the default 32 buckets (log-spaced beyond lag 16) lags 901–1000 share a bucket: the same bias cannot single them out.
        let coarse = (0..<t).map { RelativePositionBias.bucket(relativePosition: -$0, bidirectional: false, buckets: 32, maxDistance: 128) }
        #expect(coarse[952] == coarse[944] && coarse[944] == coarse[901] && coarse[901] == coarse[999])
    }
}
