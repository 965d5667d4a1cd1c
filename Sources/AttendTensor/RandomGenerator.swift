/// A seeded SplitMix64 pseudo-random generator; every random draw in Attend goes through one.
///
/// Randomness is explicit: there is no global generator. The whole state is one `UInt64`,
/// so it is saved in checkpoints and a resumed run draws exactly what the uninterrupted run would.
public struct RandomGenerator: RandomNumberGenerator, Codable, Sendable, Equatable {
    /// The generator's entire state.
    public var state: UInt64

    /// Creates a generator from a seed; equal seeds give equal streams.
    public init(seed: UInt64) { state = seed }

    /// Next 64 random bits (Steele, Lea & Flood 2014, SplitMix64).
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform Float in [0, 1) with 24 random bits.
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Standard normal sample (Box–Muller).
    public mutating func nextNormal() -> Float {
        let u1 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        let r = (-2.0 * _log(max(u1, 1e-300))).squareRoot()
        return Float(r * _cos(2.0 * Double.pi * u2))
    }

    /// Uniform integer in 0..<bound (bound > 0), without modulo bias.
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        return Int(next(upperBound: UInt64(bound)))
    }

    /// A generator derived from this one's seed and a stream label, without advancing this one.
    public func derived(_ label: UInt64) -> RandomGenerator {
        var g = RandomGenerator(seed: state ^ (label &* 0xD1B5_4A32_D192_ED03))
        _ = g.next()
        return g
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#else
import Foundation
@inline(__always) func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Foundation.cos(x) }
#endif
