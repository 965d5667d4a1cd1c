# Rebuilds train-6000.bin / test-1000.bin from the MNIST IDX files (see SOURCE.md).
import gzip, sys, numpy as np
src = sys.argv[1] if len(sys.argv) > 1 else '../../../shared/data/mnist'
def imgs(p):
    d = gzip.open(p).read(); n = int.from_bytes(d[4:8], 'big')
    return np.frombuffer(d, np.uint8, offset=16).reshape(n, 28, 28)
def prep(x):
    x = x.astype(np.float32).reshape(-1, 14, 2, 14, 2).mean(axis=(2, 4))  # 2x2 mean pool -> 14x14
    q = np.clip(np.floor(x / 16.0), 0, 15).astype(np.uint8).reshape(len(x), 196)  # 256 -> 16 levels
    return (q[:, 0::2] << 4 | q[:, 1::2]).astype(np.uint8)  # two pixels per byte, high nibble first
open('train-6000.bin', 'wb').write(prep(imgs(f'{src}/train-images-idx3-ubyte.gz')[:6000]).tobytes())
open('test-1000.bin', 'wb').write(prep(imgs(f'{src}/t10k-images-idx3-ubyte.gz')[:1000]).tobytes())
