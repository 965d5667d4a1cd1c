#!/usr/bin/env python3
"""Writes the safetensors fixtures the Swift tests read (Tests/Fixtures/safetensors/), with the
reference `safetensors` package and PyTorch (bfloat16 has no numpy dtype):

  f32.safetensors, f16.safetensors, bf16.safetensors   the same named tensors in one dtype each,
                                                      with __metadata__, including ±0, ±inf,
                                                      subnormals, the largest finite values, a
                                                      scalar and a zero-size tensor
  sharded/model-0000{1,2}-of-00002.safetensors + model.safetensors.index.json
                                                      a two-shard checkpoint (BF16 and F16 shards)
  expected.json                                       every tensor's shape and its values widened to
                                                      float32, as uint32 bit patterns (exact)

Usage: pip install torch safetensors numpy && python3 scripts/make_safetensors_fixtures.py
"""
import json
import os

import numpy as np
import torch
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "safetensors")


def base_tensors():
    g = torch.Generator().manual_seed(17)
    specials = torch.tensor([0.0, -0.0, float("nan"), 1.0, -2.5, float("inf"), float("-inf"), 65504.0, 6.0e-8,
                             1.0e-6, 3.0e38, 1.0e-40, 0.1, -7.3e-5, 1024.75])
    return {
        "blocks.0.attention.qkv.weight": torch.randn(3, 4, generator=g),
        "blocks.0.attention.qkv.bias": torch.randn(3, generator=g) * 100,
        "specials": specials,
        "scalar": torch.tensor(-3.140625),
        "empty": torch.zeros(0, 3),
    }


def bits(t):
    """float32 bit patterns of t widened to float32."""
    return [int(b) for b in t.float().contiguous().view(torch.int32).flatten().numpy().astype(np.uint32)]


def main():
    os.makedirs(os.path.join(OUT, "sharded"), exist_ok=True)
    expected = {}
    for name, dtype in [("f32", torch.float32), ("f16", torch.float16), ("bf16", torch.bfloat16)]:
        tensors = {k: v.to(dtype).contiguous() for k, v in base_tensors().items()}
        save_file(tensors, os.path.join(OUT, f"{name}.safetensors"), metadata={"format": "pt", "dtype": name})
        expected[name] = {k: {"shape": list(v.shape), "bits": bits(v)} for k, v in tensors.items()}

    g = torch.Generator().manual_seed(5)
    shard1 = {"h.0.w": torch.randn(2, 3, generator=g).to(torch.bfloat16), "h.0.b": torch.randn(3, generator=g).to(torch.bfloat16)}
    shard2 = {"h.1.w": torch.randn(3, 2, generator=g).to(torch.float16), "lm_head.weight": torch.randn(4, 2, generator=g).to(torch.float16)}
    names = ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]
    weight_map = {}
    total = 0
    for file, shard in zip(names, [shard1, shard2]):
        save_file(shard, os.path.join(OUT, "sharded", file), metadata={"format": "pt"})
        for k, v in shard.items():
            weight_map[k] = file
            total += v.numel() * v.element_size()
    with open(os.path.join(OUT, "sharded", "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}, f, indent=2)
        f.write("\n")
    expected["sharded"] = {k: {"shape": list(v.shape), "bits": bits(v)} for k, v in {**shard1, **shard2}.items()}

    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")
    for root, _, files in os.walk(OUT):
        for file in sorted(files):
            print(os.path.relpath(os.path.join(root, file), OUT), os.path.getsize(os.path.join(root, file)), "bytes")


if __name__ == "__main__":
    main()
