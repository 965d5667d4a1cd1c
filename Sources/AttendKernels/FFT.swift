import Foundation

/// Radix-2 complex fast Fourier transform (Cooley–Tukey, iterative, in place) in Float64, and the
/// N-dimensional cross-correlation built on it.
///
/// Data is split complex: `real[i]`, `imaginary[i]`. The forward transform is
/// X_k = Σ_n x_n·e^(−2πi·kn/N); `inverse: true` uses e^(+2πi·kn/N) and divides by N, so
/// inverse(forward(x)) = x. N must be a power of two. O(N log N).
public func fft(real: UnsafeMutablePointer<Double>, imaginary: UnsafeMutablePointer<Double>, count n: Int,
                inverse: Bool = false) {
    precondition(n > 0 && n & (n - 1) == 0, "fft: length \(n) is not a power of two")
    let table = FFTTwiddles(count: n)
    fft(real: real, imaginary: imaginary, count: n, twiddles: table, inverse: inverse)
}

/// cos and sin of 2πk/N for k < N/2: the twiddle factors of every butterfly level of a length-N FFT.
struct FFTTwiddles {
    let cosines: [Double], sines: [Double]
    init(count n: Int) {
        cosines = (0..<max(n / 2, 1)).map { cos(2 * Double.pi * Double($0) / Double(n)) }
        sines = (0..<max(n / 2, 1)).map { sin(2 * Double.pi * Double($0) / Double(n)) }
    }
}

func fft(real: UnsafeMutablePointer<Double>, imaginary: UnsafeMutablePointer<Double>, count n: Int,
         twiddles: FFTTwiddles, inverse: Bool) {
    if n == 1 { return }
    // Bit-reversal permutation.
    var j = 0
    for i in 1..<n {
        var bit = n >> 1
        while j & bit != 0 { j ^= bit; bit >>= 1 }
        j |= bit
        if i < j { swap(&real[i], &real[j]); swap(&imaginary[i], &imaginary[j]) }
    }
    // Butterflies over blocks of length 2, 4, …, n; w_k = e^(∓2πik/length) = table entry k·n/length.
    let sign: Double = inverse ? 1 : -1
    twiddles.cosines.withUnsafeBufferPointer { cosines in
        twiddles.sines.withUnsafeBufferPointer { sines in
            var length = 2
            while length <= n {
                let half = length / 2, step = n / length
                for k in 0..<half {
                    let wr = cosines[k * step], wi = sign * sines[k * step]
                    var a = k
                    while a < n {
                        let b = a + half
                        let tr = real[b] * wr - imaginary[b] * wi
                        let ti = real[b] * wi + imaginary[b] * wr
                        real[b] = real[a] - tr; imaginary[b] = imaginary[a] - ti
                        real[a] += tr; imaginary[a] += ti
                        a += length
                    }
                }
                length *= 2
            }
        }
    }
    if inverse {
        let s = 1 / Double(n)
        for i in 0..<n { real[i] *= s; imaginary[i] *= s }
    }
}

/// Plain O(N²) discrete Fourier transform with the conventions of `fft`, for the tests; any N.
public func dftReference(real: UnsafeMutablePointer<Double>, imaginary: UnsafeMutablePointer<Double>, count n: Int,
                         inverse: Bool = false) {
    let sign: Double = inverse ? 1 : -1
    var outR = [Double](repeating: 0, count: n), outI = [Double](repeating: 0, count: n)
    for k in 0..<n {
        for t in 0..<n {
            let angle = sign * 2 * Double.pi * Double((k * t) % n) / Double(n)
            outR[k] += real[t] * cos(angle) - imaginary[t] * sin(angle)
            outI[k] += real[t] * sin(angle) + imaginary[t] * cos(angle)
        }
    }
    let s = inverse ? 1 / Double(n) : 1
    for k in 0..<n { real[k] = outR[k] * s; imaginary[k] = outI[k] * s }
}

/// N-dimensional FFT of a row-major split-complex array of `shape` (every extent a power of two):
/// the 1-D `fft` along each axis in turn.
public func fftND(real: UnsafeMutablePointer<Double>, imaginary: UnsafeMutablePointer<Double>, shape: [Int],
                  inverse: Bool = false) {
    let total = shape.reduce(1, *)
    var inner = total
    for n in shape {
        inner /= n          // stride of this axis
        if n == 1 { continue }
        let outer = total / (n * inner)
        let table = FFTTwiddles(count: n)
        if inner == 1 {
            // Last axis: each line is contiguous.
            parallelChunks(outer, work: total * 20) { range in
                for line in range { fft(real: real + line * n, imaginary: imaginary + line * n, count: n, twiddles: table, inverse: inverse) }
            }
            continue
        }
        // Other axes: for each outer index the data is an [n, inner] matrix; transform blocks of up to
        // 256 adjacent columns at once (rows of contiguous elements, so the butterflies vectorise and
        // no strided gather is needed).
        let width = min(inner, 256), blocks = (inner + width - 1) / width
        parallelChunks(outer * blocks, work: total * 20) { range in
            for job in range {
                let o = job / blocks, c0 = (job % blocks) * width
                let base = o * n * inner + c0
                fftColumns(real: real + base, imaginary: imaginary + base, count: n, rowStride: inner,
                           width: min(width, inner - c0), twiddles: table, inverse: inverse)
            }
        }
    }
}

/// `width` independent length-n FFTs down the columns of an n × width block whose rows start
/// `rowStride` elements apart (the same butterflies as `fft`, applied to whole rows).
func fftColumns(real: UnsafeMutablePointer<Double>, imaginary: UnsafeMutablePointer<Double>, count n: Int,
                rowStride: Int, width: Int, twiddles: FFTTwiddles, inverse: Bool) {
    var j = 0
    for i in 1..<n {
        var bit = n >> 1
        while j & bit != 0 { j ^= bit; bit >>= 1 }
        j |= bit
        if i < j {
            let ri = real + i * rowStride, rj = real + j * rowStride, ii = imaginary + i * rowStride, ij = imaginary + j * rowStride
            for c in 0..<width { swap(&ri[c], &rj[c]); swap(&ii[c], &ij[c]) }
        }
    }
    let sign: Double = inverse ? 1 : -1
    twiddles.cosines.withUnsafeBufferPointer { cosines in
        twiddles.sines.withUnsafeBufferPointer { sines in
            var length = 2
            while length <= n {
                let half = length / 2, step = n / length
                for k in 0..<half {
                    let wr = cosines[k * step], wi = sign * sines[k * step]
                    var a = k
                    while a < n {
                        let ra = real + a * rowStride, ia = imaginary + a * rowStride
                        let rb = real + (a + half) * rowStride, ib = imaginary + (a + half) * rowStride
                        for c in 0..<width {
                            let tr = rb[c] * wr - ib[c] * wi
                            let ti = rb[c] * wi + ib[c] * wr
                            rb[c] = ra[c] - tr; ib[c] = ia[c] - ti
                            ra[c] += tr; ia[c] += ti
                        }
                        a += length
                    }
                }
                length *= 2
            }
        }
    }
    if inverse {
        let s = 1 / Double(n)
        for i in 0..<n {
            let r = real + i * rowStride, im = imaginary + i * rowStride
            for c in 0..<width { r[c] *= s; im[c] *= s }
        }
    }
}

/// N-dimensional cross-correlation of two equally shaped real arrays in 'same' mode, with the
/// semantics of `scipy.signal.correlate(a, v, mode='same')`.
///
/// out[i] = Σ_n a[i + n − ⌊N/2⌋] · v[n] over every multi-index n (per axis, N is that axis'
/// extent and out-of-range entries of a count as zero); out has the shape of a. This is the
/// centred part of the 'full' correlation, whose entry at lag ℓ is Σ_n a[n + ℓ]·v[n].
/// Uses `correlateSameFFT` (O(L log L), L = Π nextPow2(2N − 1)) unless the direct sum
/// (O(Π N²)) is cheaper.
public func correlateSame(_ a: UnsafePointer<Float>, _ v: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                          shape: [Int]) {
    // Rough costs measured here: ~40 ns per term of the direct sum (index arithmetic per axis),
    // ~10 ns per point·log2(points) for the FFT path (two N-D transforms plus packing).
    let direct = shape.reduce(1.0) { $0 * Double($1 * $1) } * 40
    let padded = Double(shape.map { fftLength(for: $0) }.reduce(1, *))
    let viaFFT = padded * max(1, log2(padded)) * 10
    if direct <= viaFFT { correlateSameReference(a, v, out, shape: shape) } else { correlateSameFFT(a, v, out, shape: shape) }
}

/// Length of the zero-padded axis for an FFT correlation of extent n: the next power of two ≥ 2n − 1
/// (so circular wrap-around never reaches a nonzero entry).
func fftLength(for n: Int) -> Int {
    var l = 1
    while l < 2 * n - 1 { l <<= 1 }
    return l
}

/// `correlateSame` through the correlation theorem: zero-pad a and v to L (per axis ≥ 2N − 1),
/// z = a + i·v, Z = FFT(z), A_k = (Z_k + conj Z_−k)/2, V_k = (Z_k − conj Z_−k)/2i (one transform
/// for both real inputs), c = IFFT(A · conj V) (circular lag ℓ sits at index ℓ mod L), and
/// out[i] = c[i − ⌊N/2⌋ mod L]. Accumulates in Float64.
public func correlateSameFFT(_ a: UnsafePointer<Float>, _ v: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                             shape: [Int]) {
    let rank = shape.count
    let lengths = shape.map { fftLength(for: $0) }
    let total = lengths.reduce(1, *)
    let re = UnsafeMutablePointer<Double>.allocate(capacity: total), im = UnsafeMutablePointer<Double>.allocate(capacity: total)
    defer { re.deallocate(); im.deallocate() }
    re.initialize(repeating: 0, count: total)
    im.initialize(repeating: 0, count: total)
    // Strides of the input (extents `shape`) and of the padded array (extents `lengths`).
    var inStride = [Int](repeating: 1, count: rank), padStride = [Int](repeating: 1, count: rank)
    for axis in stride(from: rank - 2, through: 0, by: -1) {
        inStride[axis] = inStride[axis + 1] * shape[axis + 1]
        padStride[axis] = padStride[axis + 1] * lengths[axis + 1]
    }
    // Rows along the last axis are contiguous in both layouts; only a row's start needs the index arithmetic.
    let count = shape.reduce(1, *)
    let last = shape[rank - 1], lastPadded = lengths[rank - 1]
    func paddedRowStart(_ row: Int, lagShift: Bool) -> Int {
        var p = 0
        for axis in 0..<(rank - 1) {
            let i = (row * last / inStride[axis]) % shape[axis]
            let j = lagShift ? ((i - shape[axis] / 2) % lengths[axis] + lengths[axis]) % lengths[axis] : i
            p += j * padStride[axis]
        }
        return p
    }
    for row in 0..<(count / last) {
        let p = paddedRowStart(row, lagShift: false)
        for c in 0..<last { re[p + c] = Double(a[row * last + c]); im[p + c] = Double(v[row * last + c]) }
    }
    fftND(real: re, imaginary: im, shape: lengths)
    // Product A·conj(V) at every frequency k, with −k taken per axis modulo L. Z(k) and Z(−k) are
    // read together, so each pair is computed once from the untouched spectrum.
    let pr = UnsafeMutablePointer<Double>.allocate(capacity: total), pi = UnsafeMutablePointer<Double>.allocate(capacity: total)
    defer { pr.deallocate(); pi.deallocate() }
    for row in 0..<(total / lastPadded) {
        var negRow = 0
        for axis in 0..<(rank - 1) {
            let c = (row * lastPadded / padStride[axis]) % lengths[axis]
            negRow += ((lengths[axis] - c) % lengths[axis]) * padStride[axis]
        }
        for c in 0..<lastPadded {
            let k = row * lastPadded + c, neg = negRow + (lastPadded - c) % lastPadded
            let zr = re[k], zi = im[k], nr = re[neg], ni = -im[neg]   // Z_k and conj(Z_−k)
            let ar = 0.5 * (zr + nr), ai = 0.5 * (zi + ni)           // A_k = (Z_k + conj Z_−k)/2
            let vr = 0.5 * (zi - ni), vi = -0.5 * (zr - nr)           // V_k = (Z_k − conj Z_−k)/2i
            pr[k] = ar * vr + ai * vi                                 // A_k · conj(V_k)
            pi[k] = ai * vr - ar * vi
        }
    }
    fftND(real: pr, imaginary: pi, shape: lengths, inverse: true)
    for row in 0..<(count / last) {
        let p = paddedRowStart(row, lagShift: true)
        for c in 0..<last {
            let j = ((c - last / 2) % lastPadded + lastPadded) % lastPadded
            out[row * last + c] = Float(pr[p + j])
        }
    }
}

/// Direct-sum twin of `correlateSame` (Float64 accumulation): out[i] = Σ_n a[i + n − ⌊N/2⌋]·v[n].
/// O(Π N²): for tiny shapes and the tests.
public func correlateSameReference(_ a: UnsafePointer<Float>, _ v: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                                   shape: [Int]) {
    let rank = shape.count
    let count = shape.reduce(1, *)
    var strides = [Int](repeating: 1, count: rank)
    for axis in stride(from: rank - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * shape[axis + 1] }
    var iIndex = [Int](repeating: 0, count: rank)
    for i in 0..<count {
        for axis in 0..<rank { iIndex[axis] = (i / strides[axis]) % shape[axis] }
        var acc = 0.0
        for n in 0..<count {
            var p = 0, inside = true
            for axis in 0..<rank {
                let j = iIndex[axis] + (n / strides[axis]) % shape[axis] - shape[axis] / 2
                if j < 0 || j >= shape[axis] { inside = false; break }
                p += j * strides[axis]
            }
            if inside { acc += Double(a[p]) * Double(v[n]) }
        }
        out[i] = Float(acc)
    }
}
