// swift-tools-version:6.0
import PackageDescription

/// Kernel code must be built for the host CPU: without `-target-cpu native`
/// Swift lowers SIMD FMA to library calls and the hot loops run ~10x slower.
/// Consequence: other packages depend on Attend by branch or path (SwiftPM refuses
/// unsafeFlags in versioned dependencies), and a binary runs only on CPUs with the
/// build machine's instruction set.
let nativeFlags: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", "native"]),
    // Lets `attend doctor` report that the kernels were built for the host CPU.
    .define("ATTEND_TARGET_CPU_NATIVE"),
    .unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release)),
]

let package = Package(
    name: "Attend",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Attend", targets: ["Attend"]),
        .executable(name: "attend", targets: ["attend"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Tests only: property-based fuzzing of the loaders (AttendFuzzTests).
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        // `swift package generate-documentation` for the DocC catalog in Sources/Attend/Attend.docc.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // bfloat16 kernels (AVX512-BF16 intrinsics, chosen at run time; see BFloat16GEMM.swift).
        .target(name: "CAttendKernels", cSettings: [.unsafeFlags(["-O3"])]),
        .target(name: "AttendKernels", dependencies: ["CAttendKernels"], swiftSettings: nativeFlags),
        .target(name: "AttendTensor", dependencies: ["AttendKernels"], swiftSettings: nativeFlags),
        .target(name: "AttendNN", dependencies: ["AttendTensor", "AttendKernels"], swiftSettings: nativeFlags),
        .target(name: "AttendData", dependencies: ["AttendTensor"], swiftSettings: nativeFlags),
        .target(name: "AttendModels", dependencies: ["AttendNN", "AttendData"], swiftSettings: nativeFlags),
        .target(name: "AttendTrain", dependencies: ["AttendModels", "AttendData"], swiftSettings: nativeFlags),
        .target(name: "AttendExperiments", dependencies: ["AttendTrain"], swiftSettings: nativeFlags),
        .target(name: "Attend", dependencies: ["AttendKernels", "AttendTensor", "AttendNN", "AttendData", "AttendModels", "AttendTrain", "AttendExperiments"], swiftSettings: nativeFlags),
        .executableTarget(
            name: "attend",
            dependencies: ["Attend", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: nativeFlags),
        // Test helpers shared by the test targets (random tensors, finite differences, recurrent ≡ parallel, folders).
        .target(name: "AttendTestSupport", dependencies: ["AttendNN"], path: "Tests/AttendTestSupport", swiftSettings: nativeFlags),
        .testTarget(name: "AttendKernelsTests", dependencies: ["AttendKernels", "AttendTensor"], swiftSettings: nativeFlags),
        .testTarget(name: "AttendTensorTests", dependencies: ["AttendTensor", "AttendTestSupport"], swiftSettings: nativeFlags),
        .testTarget(name: "AttendDataTests", dependencies: ["AttendData", "AttendTestSupport"], swiftSettings: nativeFlags),
        .testTarget(name: "AttendNNTests", dependencies: ["AttendNN", "AttendModels", "AttendTestSupport"], swiftSettings: nativeFlags),
        .testTarget(name: "AttendTrainTests", dependencies: ["Attend", "AttendTestSupport"], swiftSettings: nativeFlags),
        .testTarget(name: "AttendExperimentsTests", dependencies: ["Attend", "AttendTestSupport"], swiftSettings: nativeFlags),
        // Every loader fed mutated files (truncation, bit flips, huge sizes, invalid UTF-8): typed errors, never a crash.
        .testTarget(name: "AttendFuzzTests",
                    dependencies: ["Attend", "AttendTestSupport", .product(name: "PropertyBased", package: "swift-property-based")],
                    swiftSettings: nativeFlags),
    ],
    // Kernels share raw pointers across DispatchQueue.concurrentPerform workers by design;
    // Swift 5 mode keeps those data-race checks as the warnings they are for this code.
    swiftLanguageModes: [.v5]
)
