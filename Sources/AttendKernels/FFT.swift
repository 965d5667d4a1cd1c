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
/// Uses `correlateSameFFT` (2-D FFTs of the last two axes, lead axes summed in the frequency
/// domain) unless the direct sum (O(Π N²)) is cheaper.
public func correlateSame(_ a: UnsafePointer<Float>, _ v: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                          shape: [Int]) {
    // Rough costs measured here: ~40 ns per term of the direct sum (index arithmetic per axis),
    // ~15 ns per padded point·log2(points) for the transforms, ~2 ns per lead-pair product.
    let direct = shape.reduce(1.0) { $0 * Double($1 * $1) } * 40
    let plane = Double((shape.count >= 2 ? Array(shape.suffix(2)) : shape).map { fftLength(for: $0) }.reduce(1, *))
    let slices = Double(shape.dropLast(min(2, shape.count)).reduce(1, *))
    let viaFFT = slices * plane * max(1, log2(plane)) * 15 + slices * slices * plane * 2
    if direct <= viaFFT { correlateSameReference(a, v, out, shape: shape) } else { correlateSameFFT(a, v, out, shape: shape) }
}

/// Length of the zero-padded axis for an FFT correlation of extent n: the next power of two ≥ 2n − 1
/// (so circular wrap-around never reaches a nonzero entry).
func fftLength(for n: Int) -> Int {
    var l = 1
    while l < 2 * n - 1 { l <<= 1 }
    return l
}

/// `correlateSame` through the correlation theorem on the last two axes, with the leading axes
/// (batch, heads) summed directly in the frequency domain.
///
/// Shape = lead + [N₁, N₂] (rank 1 is treated as [1, N]). Every slice is zero-padded to
/// L = nextPow2(2N₁ − 1) × nextPow2(2N₂ − 1) and transformed once: z = a + i·v, Z = FFT₂(z),
/// Â_k = (Z_k + conj Z_−k)/2, V̂_k = (Z_k − conj Z_−k)/2i. For each output slice o,
/// Ĉ_o = Σ_n Â[o + n − ⌊N_lead/2⌋]·conj V̂[n] over the lead indices n whose source lies inside the
/// array (the 'same' correlation along the lead axes, summed directly); two real outputs share one
/// inverse transform (IFFT(Ĉ_o + i·Ĉ_o′) = c_o + i·c_o′), and out = c at lag (i − ⌊N/2⌋) mod L.
/// Padding only the last two axes avoids transforming the mostly-zero padding of small batch and
/// head axes. Float64 throughout. Cost O(P·L log L + P²·L) for P lead slices.
public func correlateSameFFT(_ a: UnsafePointer<Float>, _ v: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                             shape: [Int]) {
    precondition(!shape.isEmpty, "correlateSameFFT needs at least one axis")
    let plane = shape.count >= 2 ? Array(shape.suffix(2)) : [1] + shape
    let lead = shape.count >= 2 ? Array(shape.dropLast(2)) : []
    let (n1, n2) = (plane[0], plane[1])
    let (l1, l2) = (fftLength(for: n1), fftLength(for: n2))
    let sliceIn = n1 * n2, sliceSize = l1 * l2
    let slices = lead.reduce(1, *)
    // Spectra of every slice: Â and V̂, split complex, [slices, l1, l2].
    let ar = UnsafeMutablePointer<Double>.allocate(capacity: slices * sliceSize), ai = UnsafeMutablePointer<Double>.allocate(capacity: slices * sliceSize)
    let vr = UnsafeMutablePointer<Double>.allocate(capacity: slices * sliceSize), vi = UnsafeMutablePointer<Double>.allocate(capacity: slices * sliceSize)
    defer { ar.deallocate(); ai.deallocate(); vr.deallocate(); vi.deallocate() }
    parallelChunks(slices, work: slices * sliceSize * 100) { range in
        let zr = UnsafeMutablePointer<Double>.allocate(capacity: sliceSize), zi = UnsafeMutablePointer<Double>.allocate(capacity: sliceSize)
        defer { zr.deallocate(); zi.deallocate() }
        for p in range {
            zr.update(repeating: 0, count: sliceSize)
            zi.update(repeating: 0, count: sliceSize)
            for i in 0..<n1 {
                for j in 0..<n2 {
                    zr[i * l2 + j] = Double(a[p * sliceIn + i * n2 + j])
                    zi[i * l2 + j] = Double(v[p * sliceIn + i * n2 + j])
                }
            }
            fftND(real: zr, imaginary: zi, shape: [l1, l2])
            let base = p * sliceSize
            for r in 0..<l1 {
                let negRow = ((l1 - r) % l1) * l2
                for c in 0..<l2 {
                    let k = r * l2 + c, neg = negRow + (l2 - c) % l2
                    let (re, im, nr, ni) = (zr[k], zi[k], zr[neg], -zi[neg])   // Z_k and conj(Z_−k)
                    ar[base + k] = 0.5 * (re + nr); ai[base + k] = 0.5 * (im + ni)   // Â_k = (Z_k + conj Z_−k)/2
                    vr[base + k] = 0.5 * (im - ni); vi[base + k] = -0.5 * (re - nr)  // V̂_k = (Z_k − conj Z_−k)/2i
                }
            }
        }
    }
    // Lead multi-index arithmetic: source slice of (output o, kernel n), or −1 when outside.
    var leadStride = [Int](repeating: 1, count: lead.count)
    for axis in stride(from: lead.count - 2, through: 0, by: -1) { leadStride[axis] = leadStride[axis + 1] * lead[axis + 1] }
    func source(_ o: Int, _ n: Int) -> Int {
        var p = 0
        for axis in 0..<lead.count {
            let j = (o / leadStride[axis]) % lead[axis] + (n / leadStride[axis]) % lead[axis] - lead[axis] / 2
            if j < 0 || j >= lead[axis] { return -1 }
            p += j * leadStride[axis]
        }
        return p
    }
    let pairs = (slices + 1) / 2
    parallelChunks(pairs, work: slices * slices * sliceSize * 8) { range in
        let cr = UnsafeMutablePointer<Double>.allocate(capacity: sliceSize), ci = UnsafeMutablePointer<Double>.allocate(capacity: sliceSize)
        defer { cr.deallocate(); ci.deallocate() }
        for pair in range {
            cr.update(repeating: 0, count: sliceSize)
            ci.update(repeating: 0, count: sliceSize)
            // Z = Ĉ_o + i·Ĉ_o′: Ĉ_o adds (Re, Im) to (cr, ci); Ĉ_o′ adds (−Im, Re).
            for (which, o) in [(0, 2 * pair), (1, 2 * pair + 1)] where o < slices {
                for n in 0..<slices {
                    let src = source(o, n)
                    if src < 0 { continue }
                    let (xr, xi) = (ar + src * sliceSize, ai + src * sliceSize)
                    let (yr, yi) = (vr + n * sliceSize, vi + n * sliceSize)
                    if which == 0 {
                        for k in 0..<sliceSize {
                            cr[k] += xr[k] * yr[k] + xi[k] * yi[k]     // Re(Â·conj V̂)
                            ci[k] += xi[k] * yr[k] - xr[k] * yi[k]     // Im(Â·conj V̂)
                        }
                    } else {
                        for k in 0..<sliceSize {
                            cr[k] -= xi[k] * yr[k] - xr[k] * yi[k]     // i·Ĉ_o′: real part −Im
                            ci[k] += xr[k] * yr[k] + xi[k] * yi[k]     //          imaginary part +Re
                        }
                    }
                }
            }
            fftND(real: cr, imaginary: ci, shape: [l1, l2], inverse: true)
            for (which, o) in [(0, 2 * pair), (1, 2 * pair + 1)] where o < slices {
                let c = which == 0 ? cr : ci
                for i in 0..<n1 {
                    let row = ((i - n1 / 2) % l1 + l1) % l1 * l2
                    for j in 0..<n2 {
                        out[o * sliceIn + i * n2 + j] = Float(c[row + ((j - n2 / 2) % l2 + l2) % l2])
                    }
                }
            }
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
