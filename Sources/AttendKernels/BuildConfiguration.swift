import Foundation

/// How this copy of Attend was compiled, for `attend doctor` and benchmark records.
public enum BuildConfiguration {
    /// Whether this is a debug build (SwiftPM's `-c debug`, the default of `swift build`): kernels run
    /// many times slower than in `-c release`.
    public static var isDebug: Bool {
        #if DEBUG
        return true
        #else
        return false
        #endif
    }

    /// Whether the kernels were compiled with `-target-cpu native` (Package.swift's `nativeFlags`,
    /// which also define `ATTEND_TARGET_CPU_NATIVE`); without it SIMD FMA becomes library calls.
    public static var targetCPUNative: Bool {
        #if ATTEND_TARGET_CPU_NATIVE
        return true
        #else
        return false
        #endif
    }

    /// Lanes of the `SIMD16<Float>` vectors the GEMM and attention kernels are written with (one
    /// AVX-512 register, or two AVX2 registers).
    public static let kernelLanes = 16

    /// fp32 GFLOP/s of one thread's FMA loop below which the kernels are taken not to run as vector
    /// FMA instructions (a release build with `-target-cpu native` reaches ≥ 50 on every CPU class
    /// seen; library-call FMA stays near 1–3).
    public static let vectorFMAThreshold = 10.0
}
