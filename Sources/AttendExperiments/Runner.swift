import AttendData
import AttendKernels
import AttendModels
import AttendNN
import AttendTensor
import AttendTrain
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a study's missing runs into a `ResultsStore`: skips runs already stored (same id and
/// fingerprint), forecasts each run before starting it, measures wall time and peak memory, and
/// optionally takes only one shard of the runs (`--shard i/n`).
public struct Runner {
    /// The study whose runs are run.
    public var study: Study
    /// Where finished runs are recorded.
    public var store: ResultsStore
    /// Package root: data paths in the spec are relative to it.
    public var root: URL
    /// (index, count): run only the runs assigned to shard `index` of `count`.
    public var shard: (index: Int, count: Int)?
    /// Progress lines (to standard error in the CLI).
    public var log: (String) -> Void
    /// Only forecast: print and store the plan, run nothing.
    public var dryRun = false

    /// A runner of `study` into `store`.
    public init(study: Study, store: ResultsStore, root: URL, shard: (index: Int, count: Int)? = nil, log: @escaping (String) -> Void = { _ in }) {
        self.study = study; self.store = store; self.root = root; self.shard = shard; self.log = log
    }

    /// A sweep's shard: runs are assigned longest-first (by estimated FLOPs, machine-independent) to the
    /// least-loaded shard, so every machine computes the same split.
    public static func assign(_ runs: [RunSpec], flops: [Double], shards: Int) -> [Int] {
        var load = [Double](repeating: 0, count: shards), owner = [Int](repeating: 0, count: runs.count)
        let order = runs.indices.sorted { flops[$0] != flops[$1] ? flops[$0] > flops[$1] : $0 < $1 }
        for i in order {
            let s = load.indices.min { load[$0] != load[$1] ? load[$0] < load[$1] : $0 < $1 }!
            owner[i] = s
            load[s] += max(flops[i], 1)
        }
        return owner
    }

    /// Vocabulary size of a run's task (needed for estimates before data is loaded).
    func vocab(_ e: Experiment) -> Int {
        switch e.task {
        case .generation: return 256
        case .copy: return e.symbols + 2
        case .pixels: return PixelImages.levels + 1
        case .charLM: return 65
        case .attentionScaling: return 0
        }
    }

    /// What `run()` did.
    public struct Summary {
        /// Runs executed now.
        public var ran: Int
        /// Runs of this shard already stored.
        public var skipped: Int
        /// Wall time of this invocation.
        public var seconds: Double
    }

    /// Runs every missing run of this shard, storing each record as soon as it finishes.
    @discardableResult
    public func run() throws -> Summary {
        try FileManager.default.createDirectory(at: store.folder, withIntermediateDirectories: true)
        try store.saveStudy(study)
        let all = study.runs
        let zeroEstimator = Estimator(peakGFLOPs: 1, baseBytes: 0)
        let flops = all.map { zeroEstimator.estimate($0, vocab: vocab($0.experiment)).flops }
        let owner = shard.map { Runner.assign(all, flops: flops, shards: $0.count) }
        let mine = all.indices.filter { owner == nil || owner![$0] == shard!.index }.map { all[$0] }
        let done = Dictionary(try store.records().map { ($0.id, $0.fingerprint) }, uniquingKeysWith: { a, _ in a })
        let todo = mine.filter { done[$0.id] != $0.fingerprint }
        log("study \(study.name), scale \(study.scale.rawValue): \(all.count) runs\(shard.map { ", shard \($0.index)/\($0.count): \(mine.count)" } ?? ""); \(mine.count - todo.count) already stored, \(todo.count) to run")
        if todo.isEmpty { return Summary(ran: 0, skipped: mine.count, seconds: 0) }
        let peak = measureFMAPeak(threads: Threading.count, seconds: 0.2)
        let estimator = Estimator(peakGFLOPs: peak, baseBytes: Double(ResourceUsage.residentBytes() ?? 0))
        let plan = todo.map { ($0.id, estimator.estimate($0, vocab: vocab($0.experiment))) }
        let total = plan.reduce(0) { $0 + $1.1.seconds }
        log(String(format: "machine: %@, %d threads, FMA peak %.0f GFLOP/s; estimated total %@", ResourceUsage.cpuModel(), Threading.count, peak, Runner.duration(total)))
        try savePlan(plan, peak: peak)
        if dryRun {
            for (id, e) in plan { log(String(format: "  %@: %@, %.0f MB, %.3g GFLOP", id, Runner.duration(e.seconds), e.bytes / 1e6, e.flops / 1e9)) }
            return Summary(ran: 0, skipped: mine.count - todo.count, seconds: 0)
        }
        let started = Date()
        var estimatedSoFar = 0.0, measuredSoFar = 0.0
        for (i, run) in todo.enumerated() {
            let estimate = plan[i].1
            let remaining = plan[i...].reduce(0) { $0 + $1.1.seconds } * (estimatedSoFar > 0 ? measuredSoFar / estimatedSoFar : 1)
            log(String(format: "[run %d/%d] %@ — estimate %@, %.0f MB, %.2g GFLOP; ETA %@", i + 1, todo.count, run.id,
                       Runner.duration(estimate.seconds), estimate.bytes / 1e6, estimate.flops / 1e9, Runner.duration(remaining)))
            let record = try execute(run, estimate: estimate)
            try store.append(record)
            estimatedSoFar += estimate.seconds
            measuredSoFar += record.wallSeconds
            log(String(format: "          done in %@ (estimated %@), peak RSS %.0f MB", Runner.duration(record.wallSeconds),
                       Runner.duration(estimate.seconds), record.peakResidentBytes / 1e6))
        }
        return Summary(ran: todo.count, skipped: mine.count - todo.count, seconds: Date().timeIntervalSince(started))
    }

    /// Writes the forecasts made before running (`plan.json`).
    func savePlan(_ plan: [(String, Estimate)], peak: Double) throws {
        struct Plan: Codable { var peakGFLOPs: Double; var runs: [String: Estimate] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var runs: [String: Estimate] = [:]
        for (id, e) in plan { runs[id] = e }
        let name = shard.map { "plan-shard\($0.index)of\($0.count).json" } ?? "plan.json"
        try AtomicFile.write(try encoder.encode(Plan(peakGFLOPs: peak, runs: runs)), to: store.folder.appendingPathComponent(name))
    }

    static func duration(_ s: Double) -> String {
        guard s.isFinite else { return "?" }
        if s < 60 { return String(format: "%.1fs", s) }
        let n = Int(s.rounded())
        return n >= 3600 ? String(format: "%dh%02dm", n / 3600, n % 3600 / 60) : String(format: "%dm%02ds", n / 60, n % 60)
    }

    /// Resets the kernel's peak-RSS counter (VmHWM) so the next reading covers only this run (Linux ≥ 4.0).
    /// Freed heap memory is first handed back to the OS (`malloc_trim`), so the new baseline is what
    /// the process really holds and not what an earlier run left in the allocator.
    static func resetPeakResident() {
        #if canImport(Glibc)
        // malloc_trim is glibc-only and not in Swift's Glibc module map; look it up at run time.
        if let symbol = dlsym(dlopen(nil, RTLD_NOW), "malloc_trim") {
            typealias Trim = @convention(c) (Int) -> Int32
            _ = unsafeBitCast(symbol, to: Trim.self)(0)
        }
        #endif
        if let h = FileHandle(forWritingAtPath: "/proc/self/clear_refs") {
            h.write(Data("5".utf8))
            try? h.close()
        }
    }

    /// Runs one run and returns its record.
    public func execute(_ run: RunSpec, estimate: Estimate) throws -> RunRecord {
        BufferPool.shared.drain()
        Runner.resetPeakResident()
        let start = Date()
        var record = RunRecord(id: run.id, experiment: run.experiment.name, task: run.experiment.task, parameters: run.parameters,
                               fingerprint: run.fingerprint, values: [:], timings: [:], curves: [:], timingCurves: [:],
                               estimate: estimate, wallSeconds: 0, peakResidentBytes: 0, flops: estimate.flops,
                               machine: "\(ResourceUsage.cpuModel()), \(Threading.count) threads", finishedAt: "")
        switch run.experiment.task {
        case .attentionScaling: try runScaling(run, &record)
        case .generation: try runGeneration(run, &record)
        case .copy: try runCopy(run, &record)
        case .pixels: try runPixels(run, &record)
        case .charLM: try runCharLM(run, &record)
        }
        record.wallSeconds = Date().timeIntervalSince(start)
        record.peakResidentBytes = Double(ResourceUsage.peakResidentBytes() ?? 0)
        record.finishedAt = ISO8601DateFormatter().string(from: Date())
        BufferPool.shared.drain()
        return record
    }

    func runScaling(_ run: RunSpec, _ r: inout RunRecord) throws {
        let e = run.experiment
        let (ms, bytes) = AttentionTiming.forwardBackward(kind: run.kind, batch: e.batch, heads: e.heads, length: run.int("length"),
                                                          headDim: e.headDim, repeats: e.repeats)
        r.timings["forwardBackwardMs"] = ms
        r.timings["peakTensorMB"] = bytes / 1e6
    }

    func runGeneration(_ run: RunSpec, _ r: inout RunRecord) throws {
        let e = run.experiment, m = e.model!
        let n = run.int("tokens"), b = run.int("batch")
        var rng = RandomGenerator(seed: 2)
        let config = ModelConfig(vocabSize: 256, contextLength: n + 1, modelDim: m.modelDim, numHeads: m.numHeads,
                                 numLayers: m.numLayers, hiddenDim: m.hiddenDim, attention: run.kind)
        let model = try DecoderOnly(config, rng: &rng)
        let totalMs: Double
        var series: [(Double, Double)]
        if run.parameters["cache"] == CacheMode.recompute.rawValue {
            // Measure a forward pass over the prefix at a few lengths; the sum over all positions is
            // interpolated (an estimate from measured tokens, stated as such in the report).
            let k = e.measuredPrefixes
            series = (1...k).map { i in
                let p = max(1, n * i / k)
                return (Double(p), AttentionTiming.recomputeToken(model: model, batch: b, prefix: p))
            }
            totalMs = AttentionTiming.integrate(series, tokens: n)
            r.values["estimatedFromPrefixes"] = Double(k)
        } else {
            series = try AttentionTiming.generateWithState(model: model, batch: b, tokens: n, window: min(e.window, n))
            totalMs = series.enumerated().reduce(0) { acc, p in
                let start = p.offset == 0 ? 0 : series[p.offset - 1].0
                return acc + p.element.1 * (p.element.0 - start)
            }
        }
        r.timingCurves["msPerToken"] = series.map { [$0.0, $0.1] }
        r.timings["totalSeconds"] = totalMs / 1000
        r.timings["msPerToken"] = totalMs / Double(n)
        r.timings["tokensPerSecond"] = Double(n * b) / (totalMs / 1000)
        r.timings["sequencesPerSecond"] = Double(b) / (totalMs / 1000)
        // Per-token cost constancy: median cost of the last quarter of the windows over the median of the
        // first quarter (window 0 holds warm-up and is skipped); medians resist timing noise.
        if series.count >= 2 {
            func median(_ v: [Double]) -> Double { let s = v.sorted(); return s[s.count / 2] }
            let costs = series.map(\.1), skip = series.count >= 3 ? 1 : 0
            let quarter = max(1, (costs.count - skip) / 4)
            r.timings["lastOverEarlyCost"] = median(Array(costs.suffix(quarter))) / median(Array(costs[skip..<(skip + quarter)]))
        }
    }

    func modelConfig(_ m: ModelShape, vocab: Int, length: Int, kind: AttentionKind) -> ModelConfig {
        ModelConfig(vocabSize: vocab, contextLength: length, modelDim: m.modelDim, numHeads: m.numHeads, numLayers: m.numLayers,
                    hiddenDim: m.hiddenDim, attention: kind)
    }

    func keep(_ o: SequenceTraining.Outcome, _ r: inout RunRecord) {
        r.curves["trainLoss"] = o.trainLoss
        r.curves["evalLoss"] = o.evalLoss
        r.values["finalEvalLoss"] = o.finalEvalLoss
        r.timings["tokensPerSecond"] = o.tokensPerSecond
    }

    func runCopy(_ run: RunSpec, _ r: inout RunRecord) throws {
        let e = run.experiment, t = e.training!
        let task = CopyTask(maxSymbols: e.maxSymbols, symbols: e.symbols)
        var evalRNG = RandomGenerator(seed: 999)
        let evaluation = (0..<t.evalBatches).map { _ in task.batch(t.batchSize, rng: &evalRNG) }
        let training = SequenceTraining(config: modelConfig(e.model!, vocab: task.vocabSize, length: task.length, kind: run.kind),
                                        training: t, seed: UInt64(run.int("seed")))
        let o = try training.run(next: { task.batch(t.batchSize, rng: &$0) }, evaluation: evaluation)
        keep(o, &r)
    }

    func runPixels(_ run: RunSpec, _ r: inout RunRecord) throws {
        let e = run.experiment, t = e.training!
        let images = try PixelImages(folder: root.appendingPathComponent(e.data))
        let evalImages = Array(0..<min(t.evalBatches * t.batchSize, images.test.count))
        let evaluation = stride(from: 0, to: evalImages.count, by: t.batchSize).map {
            images.batch(Array(evalImages[$0..<min($0 + t.batchSize, evalImages.count)]), from: images.test)
        }
        let training = SequenceTraining(config: modelConfig(e.model!, vocab: images.vocabSize, length: images.length, kind: run.kind),
                                        training: t, seed: UInt64(run.int("seed")))
        let o = try training.run(next: { rng in
            images.batch((0..<t.batchSize).map { _ in rng.nextInt(below: images.train.count) }, from: images.train)
        }, evaluation: evaluation)
        keep(o, &r)
        r.curves["evalBitsPerDim"] = o.evalLoss.map { [$0[0], $0[1] / M_LN2] }
        // Final test bits/dim over `testImages` test images.
        let test = Array(0..<min(e.testImages, images.test.count))
        let context = ForwardContext(training: false)
        let nats: Double = withoutGradients {
            var total = 0.0
            for s in stride(from: 0, to: test.count, by: t.batchSize) {
                let b = images.batch(Array(test[s..<min(s + t.batchSize, test.count)]), from: images.test)
                total += Double(o.model!.loss(inputs: b.inputs, targets: b.targets, batch: b.batch, length: b.length, context: context).item) * Double(b.batch)
            }
            return total / Double(max(test.count, 1))
        }
        r.values["testBitsPerDim"] = nats / M_LN2
        r.values["uniformBitsPerDim"] = log2(Double(PixelImages.levels))
    }

    func runCharLM(_ run: RunSpec, _ r: inout RunRecord) throws {
        let e = run.experiment, t = e.training!
        let dataset = try TextDataset(path: root.appendingPathComponent(e.data).path)
        var train = TrainConfig()
        train.batchSize = t.batchSize; train.maxSteps = t.steps; train.learningRate = t.learningRate
        train.minLearningRate = t.learningRate / 10; train.warmupSteps = t.warmupSteps; train.decaySteps = t.steps
        train.weightDecay = t.weightDecay; train.gradClip = t.gradClip; train.evalInterval = t.evalInterval
        train.evalBatches = t.evalBatches; train.checkpointInterval = t.steps + 1; train.seed = UInt64(run.int("seed"))
        let config = RunConfig(model: modelConfig(e.model!, vocab: dataset.tokenizer.vocabSize, length: e.contextLength, kind: run.kind),
                               training: train, data: e.data)
        let trainer = try Trainer(config: config, dataset: dataset, run: nil)
        var evalLoss: [[Double]] = [[0, Double(trainer.evaluate(batches: t.evalBatches).validation)]]
        var trainLoss: [[Double]] = [], window: [Double] = []
        var seconds = 0.0
        while trainer.step < t.steps {
            let start = DispatchTime.now().uptimeNanoseconds
            window.append(Double(try trainer.trainStep()))
            seconds += Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            if trainer.step % t.evalInterval == 0 || trainer.step == t.steps {
                trainLoss.append([Double(trainer.step), window.reduce(0, +) / Double(window.count)])
                window.removeAll()
                evalLoss.append([Double(trainer.step), Double(trainer.evaluate(batches: t.evalBatches).validation)])
            }
        }
        r.curves["trainLoss"] = trainLoss
        r.curves["evalLoss"] = evalLoss
        r.values["finalEvalLoss"] = evalLoss.last![1]
        r.timings["tokensPerSecond"] = Double(t.steps * t.batchSize * e.contextLength) / max(seconds, 1e-9)
    }
}
