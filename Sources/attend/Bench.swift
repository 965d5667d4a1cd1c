import ArgumentParser
import Attend
import Foundation

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure kernel and training speed on this machine.",
        discussion: HelpExamples.discussion("bench"),
        subcommands: [Peak.self, GEMMBench.self, TrainBench.self, AttentionBench.self])

    /// Times `body` `repeats` times after one warm-up call; returns the fastest time in seconds.
    static func bestTime(repeats: Int, _ body: () -> Void) -> Double {
        body()
        var best = Double.infinity
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
        }
        return best
    }

    struct Peak: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure the fp32 FMA peak (GFLOP/s) with an FMA-only loop, and the bfloat16 dot-product peak with a vdpbf16ps-only loop where the CPU has AVX512-BF16.",
            discussion: HelpExamples.discussion("peak"))
        @Option var seconds: Double = 1

        func run() {
            print("cpu: \(CPUInfo.current)")
            for threads in Set([1, Threading.count]).sorted() {
                let fp32 = measureFMAPeak(threads: threads, seconds: seconds)
                print(String(format: "FMA peak, %d thread(s): %.1f GFLOP/s", threads, fp32))
                if let bf16 = measureBFloat16Peak(threads: threads, seconds: seconds) {
                    print(String(format: "bf16 dot-product peak, %d thread(s): %.1f GFLOP/s (%.2fx the fp32 FMA peak)", threads, bf16, bf16 / fp32))
                }
            }
            if !BFloat16Support.available { print("bf16: this CPU has no AVX512-BF16 (vdpbf16ps); no bfloat16 peak") }
        }
    }

    struct GEMMBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gemm",
            abstract: "Time GEMM (fp32, or bf16 with --precision) on large and Transformer-sized shapes; print GFLOP/s and the ratio to the measured peak of that arithmetic.",
            discussion: HelpExamples.discussion("gemm"))
        @Option(help: "Shapes as MxNxK[:tt] (tt = transposes of A and B, e.g. nt), comma-separated.")
        var shapes: String = "1024x1024x1024,768x128x512,768x512x128,768x128x512:nt,768x512x128:nt,768x128x512:tn,768x512x128:tn,128x512x768:tn"
        @Option var repeats: Int = 10
        @Option(help: "Arithmetic: fp32, bf16 (bfloat16 operands, fp32 accumulation) or both, comma-separated.")
        var precision: String = "fp32"

        func run() throws {
            let precisions = try precision.split(separator: ",").map { name -> MatrixPrecision in
                guard let p = MatrixPrecision(rawValue: String(name)) else {
                    throw ValidationError("--precision: '\(name)' is not one of fp32, bf16")
                }
                return p
            }
            print("cpu: \(CPUInfo.current)")
            print("gemm blocking: \(GEMMParameters.current)")
            for p in precisions { try table(p) }
        }

        private func table(_ precision: MatrixPrecision) throws {
            let (resolved, notice) = BFloat16Support.resolve(precision)
            if let notice { print(notice) }
            let bf16 = resolved == .bf16
            let peak1 = bf16 ? measureBFloat16Peak(threads: 1, seconds: 0.5)! : measureFMAPeak(threads: 1, seconds: 0.5)
            let peakN = bf16 ? measureBFloat16Peak(threads: Threading.count, seconds: 0.5)! : measureFMAPeak(threads: Threading.count, seconds: 0.5)
            print(String(format: "%@ peak: %.1f GFLOP/s (1 thread), %.1f GFLOP/s (%d threads)",
                         bf16 ? "bf16 dot-product" : "FMA", peak1, peakN, Threading.count))
            print("shape               threads   GFLOP/s   % of peak   (\(resolved.rawValue))")
            for spec in shapes.split(separator: ",") {
                let parts = spec.split(separator: ":")
                let dims = parts[0].split(separator: "x").compactMap { Int($0) }
                guard dims.count == 3, dims.allSatisfy({ $0 > 0 }) else { throw ValidationError("bad shape '\(spec)'; use MxNxK or MxNxK:nt") }
                let flags = parts.count > 1 ? Array(parts[1]) : ["n", "n"]
                let (m, n, k) = (dims[0], dims[1], dims[2])
                let ta = flags.first == "t", tb = flags.last == "t"
                var rng = RandomGenerator(seed: 1)
                let a = Tensor.uniform([m * k], low: -1, high: 1, rng: &rng)
                let b = Tensor.uniform([k * n], low: -1, high: 1, rng: &rng)
                let c = Tensor.zeros([m * n])
                for threads in Set([1, Threading.count]).sorted() {
                    let t = Bench.bestTime(repeats: repeats) {
                        if bf16 {
                            gemmBFloat16(transA: ta, transB: tb, m: m, n: n, k: k, a: a.pointer, lda: ta ? m : k,
                                         b: b.pointer, ldb: tb ? k : n, c: c.pointer, ldc: n, threads: threads)
                        } else {
                            gemm(transA: ta, transB: tb, m: m, n: n, k: k, a: a.pointer, lda: ta ? m : k,
                                 b: b.pointer, ldb: tb ? k : n, c: c.pointer, ldc: n, threads: threads)
                        }
                    }
                    let gflops = 2.0 * Double(m * n * k) / t / 1e9
                    let peak = threads == 1 ? peak1 : peakN
                    print(String(spec).padding(toLength: 19, withPad: " ", startingAt: 0) + String(format: " %7d  %8.1f   %6.1f %%", threads, gflops, 100 * gflops / peak))
                }
            }
        }
    }

    struct TrainBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "train",
            abstract: "Train the shakespeare-char recipe (4 layers, 4 heads, width 128, context 64, batch 12) and report step time, tokens/s, peak memory and final losses.",
            discussion: HelpExamples.discussion("bench-train"))
        @Option var data: String = "Data/tinyshakespeare.txt"
        @Option var steps: Int = 200
        @Option var seed: UInt64 = 1
        @Option(help: "Batches per split for the final evaluation.") var evalBatches: Int = 200
        @Option(help: "Untimed steps before timing starts.") var warmup: Int = 10
        @Flag(help: "Print one JSON line instead of text.") var json = false
        @Option(help: "Matrix products of the linear layers: fp32 or bf16.") var precision: MatrixPrecision = .fp32

        func run() throws {
            try reportingErrors {
                let dataset = try TextDataset(path: data)
                let resolved = BFloat16Support.resolve(precision)
                if let notice = resolved.notice { writeError(notice + "\n") }
                var t = TrainConfig()
                t.precision = resolved.precision
                t.maxSteps = steps
                t.decaySteps = 2000
                t.seed = seed
                t.evalBatches = evalBatches
                let m = ModelConfig(vocabSize: dataset.tokenizer.vocabSize, contextLength: 64, modelDim: 128, numHeads: 4, numLayers: 4)
                let trainer = try Trainer(config: RunConfig(model: m, training: t, data: data), dataset: dataset, run: nil)
                var times: [Double] = []
                for i in 0..<steps {
                    let start = DispatchTime.now().uptimeNanoseconds
                    try trainer.trainStep()
                    if i >= warmup { times.append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-6) }
                    if !json && i % 100 == 0 { writeError("\rstep \(i)/\(steps) loss \(trainer.losses.last!)   ") }
                }
                let (tr, va) = trainer.evaluate(batches: evalBatches)
                let sorted = times.sorted()
                let median = sorted.isEmpty ? .nan : sorted[sorted.count / 2]
                let mean = times.reduce(0, +) / Double(max(times.count, 1))
                let tokens = Double(t.batchSize * m.contextLength)
                let peakMB = Double(ResourceUsage.peakResidentBytes() ?? 0) / 1e6
                if json {
                    print(String(format: #"{"impl":"attend","threads":%d,"steps":%d,"seed":%llu,"ms_per_step_median":%.3f,"ms_per_step_mean":%.3f,"tokens_per_s":%.1f,"final_train_loss":%.6f,"final_val_loss":%.6f,"peak_rss_mb":%.1f,"precision":"%@","cpu":"%@"}"#,
                                 Threading.count, steps, seed, median, mean, tokens / mean * 1000, tr, va, peakMB,
                                 t.precision.rawValue as NSString, ResourceUsage.cpuModel() as NSString))
                } else {
                    writeError("\n")
                    print("cpu: \(ResourceUsage.cpuModel()), threads: \(Threading.count), precision: \(t.precision.rawValue)")
                    print(String(format: "%d steps: %.2f ms/step median, %.2f mean → %.0f tokens/s", steps, median, mean, tokens / mean * 1000))
                    print(String(format: "final train loss %.4f, val loss %.4f (%d batches); peak RSS %.0f MB", tr, va, evalBatches, peakMB))
                }
            }
        }
    }
}
