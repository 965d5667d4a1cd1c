import ArgumentParser
import Attend
import Foundation

/// `attend doctor`: the build configuration and the machine, with warnings for slow builds.
struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print how this binary was built and what this machine offers (SIMD, threads, bf16), and warn about slow builds.",
        discussion: HelpExamples.discussion("doctor"))

    @Flag(inversion: .prefixedNo, help: "Measure one thread's fp32 FMA rate for 0.1 s (shows whether the kernels run as vector FMA).")
    var measure = true

    func run() throws {
        let cpu = CPUInfo.current
        var warnings: [String] = []
        print("Attend \(SourceVersion.release)\(SourceVersion.commit(root: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).map { " (commit \($0.prefix(12)))" } ?? "")")
        print("build: \(BuildConfiguration.isDebug ? "debug" : "release"), \(BuildConfiguration.targetCPUNative ? "-target-cpu native" : "generic target CPU")")
        if BuildConfiguration.isDebug {
            warnings.append("this is a debug build: training and kernels run many times slower; build with `swift build -c release` and run .build/release/attend")
        }
        if !BuildConfiguration.targetCPUNative {
            warnings.append("the kernels were not built with -target-cpu native: SIMD FMA becomes library calls (~10× slower); keep Package.swift's nativeFlags")
        }
        print("CPU: \(cpu.identity), \(ProcessInfo.processInfo.activeProcessorCount) logical cores")
        print(String(format: "caches: L1d %d KiB, L2 %d KiB%@%@", cpu.l1d.bytes / 1024, cpu.l2.bytes / 1024,
                     cpu.l3.map { String(format: ", L3 %d MiB", $0.bytes / 1_048_576) } ?? "", cpu.cachesFromSystem ? "" : " (assumed: not reported by the system)"))
        print("SIMD: kernels use \(BuildConfiguration.kernelLanes)-lane fp32 vectors; AVX-512 \(cpu.hasAVX512 ? "yes" : "no (each vector is two AVX2 registers)")")
        print("GEMM blocking: \(GEMMParameters.current)")
        print("threads: \(Threading.count) (ATTEND_THREADS overrides)")
        print("bf16 matrix products (--precision bf16): \(BFloat16Support.available ? "available (AVX512-BF16)" : "not available on this CPU; bf16 runs fall back to fp32 with a notice")")
        print(String(format: "memory: %.1f GiB", Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824))
        if measure {
            let rate = measureFMAPeak(threads: 1, seconds: 0.1)
            print(String(format: "fp32 FMA, one thread: %.1f GFLOP/s", rate))
            if rate < BuildConfiguration.vectorFMAThreshold && !BuildConfiguration.isDebug {
                warnings.append(String(format: "one thread reaches only %.1f GFLOP/s of fp32 FMA (expected ≥ %.0f): the kernels do not run as vector FMA — check the build flags, or whether the machine is busy", rate, BuildConfiguration.vectorFMAThreshold))
            }
        }
        for w in warnings { print("warning: \(w)") }
        if warnings.isEmpty { print("ok: release build for this CPU") }
    }
}
