#!/usr/bin/env python3
"""Convert an Attend character-LM checkpoint into nanoGPT's ckpt.pt + meta.pkl (for nanoGPT's sample.py).

    python scripts/attend_to_nanogpt.py --checkpoint runs/x --out-dir out-attend --dataset attend_x --nanogpt ~/nanoGPT
    cd ~/nanoGPT && python sample.py --out_dir=out-attend --device=cpu

Writes OUT_DIR/ckpt.pt ({"model", "model_args", "config": {"dataset"}, "iter_num", "best_val_loss"}) and
NANOGPT/data/DATASET/meta.pkl (sample.py looks for it there). nanoGPT's GPT is fixed: softmax attention,
learned positions, pre-LN, hidden width 4·modelDim, tied wte/lm_head, exact (erf) GELU; a run with other
settings is refused naming the setting. Attend's default tanh GELU ("gelu") is refused unless
--allow-tanh-gelu (then sample.py runs with erf GELU: logits differ by ~1e-3, not bit-comparable).
"""
import argparse
import json
import os
import pickle

import torch
from safetensors.torch import load_file


def resolve(path):
    if os.path.exists(os.path.join(path, "state.json")):
        return path
    for d in (os.path.join(path, "checkpoints"), path):
        latest = os.path.join(d, "latest")
        if os.path.exists(latest):
            return os.path.join(d, open(latest).read().strip())
    raise SystemExit(f"no Attend checkpoint at {path}; pass a run folder written by `attend train`")


def convert(checkpoint, out_dir, dataset, nanogpt, allow_tanh_gelu=False):
    folder = resolve(checkpoint)
    with open(os.path.join(folder, "state.json")) as f:
        state = json.load(f)
    if "task" in state:
        raise SystemExit(f"{folder} holds an encoder-decoder ({state['task']}) model; nanoGPT has decoder-only GPTs")
    m = state["config"]["model"]
    need = {"attention": "softmax", "positionBias": "none", "dotProduct": True, "rotary": False, "positions": "learned",
            "normPlacement": "pre", "tieWeights": True}
    for key, value in need.items():
        if m.get(key, value) != value:
            raise SystemExit(f"cannot convert: {key} is {m[key]!r}; nanoGPT's GPT needs {value!r}")
    if m["hiddenDim"] != 4 * m["modelDim"]:
        raise SystemExit(f"cannot convert: hiddenDim {m['hiddenDim']} is not 4·modelDim ({4 * m['modelDim']}), nanoGPT's MLP width")
    if m["activation"] == "gelu" and not allow_tanh_gelu:
        raise SystemExit("cannot convert exactly: activation is 'gelu' (tanh form) but nanoGPT uses nn.GELU() (erf form); "
                         "train with --activation gelu-exact, or pass --allow-tanh-gelu to accept ~1e-3 logit differences")
    if m["activation"] not in ("gelu", "gelu-exact"):
        raise SystemExit(f"cannot convert: activation {m['activation']!r}; nanoGPT's MLP uses GELU")
    ours = load_file(os.path.join(folder, "model.safetensors"))
    sd = {"transformer.wte.weight": ours["tokenEmbedding.weight"], "transformer.wpe.weight": ours["positionEmbedding.weight"],
          "transformer.ln_f.weight": ours["finalNorm.weight"]}
    if m["bias"]:
        sd["transformer.ln_f.bias"] = ours["finalNorm.bias"]
    for i in range(m["numLayers"]):
        for a, n in [("norm1", "ln_1"), ("attention.qkv", "attn.c_attn"), ("attention.output", "attn.c_proj"),
                     ("norm2", "ln_2"), ("feedForward.up", "mlp.c_fc"), ("feedForward.down", "mlp.c_proj")]:
            sd[f"transformer.h.{i}.{n}.weight"] = ours[f"blocks.{i}.{a}.weight"]
            if m["bias"]:
                sd[f"transformer.h.{i}.{n}.bias"] = ours[f"blocks.{i}.{a}.bias"]
    sd["lm_head.weight"] = sd["transformer.wte.weight"]
    model_args = {"n_layer": m["numLayers"], "n_head": m["numHeads"], "n_embd": m["modelDim"], "block_size": m["contextLength"],
                  "bias": m["bias"], "vocab_size": m["vocabSize"], "dropout": 0.0}
    os.makedirs(out_dir, exist_ok=True)
    torch.save({"model": sd, "model_args": model_args, "iter_num": state["step"],
                "best_val_loss": state.get("validationLoss") or 0.0, "config": {"dataset": dataset}},
               os.path.join(out_dir, "ckpt.pt"))
    chars = state["tokenizer"]["characters"]
    meta_dir = os.path.join(nanogpt, "data", dataset)
    os.makedirs(meta_dir, exist_ok=True)
    with open(os.path.join(meta_dir, "meta.pkl"), "wb") as f:
        pickle.dump({"vocab_size": len(chars), "itos": dict(enumerate(chars)), "stoi": {c: i for i, c in enumerate(chars)}}, f)
    return os.path.join(out_dir, "ckpt.pt"), os.path.join(meta_dir, "meta.pkl")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", required=True, help="Attend run folder or checkpoint folder")
    parser.add_argument("--out-dir", required=True, help="folder for ckpt.pt (sample.py --out_dir)")
    parser.add_argument("--dataset", required=True, help="dataset name recorded in ckpt.pt; meta.pkl goes to NANOGPT/data/DATASET/")
    parser.add_argument("--nanogpt", default=".", help="nanoGPT checkout (sample.py reads data/DATASET/meta.pkl relative to it)")
    parser.add_argument("--allow-tanh-gelu", action="store_true")
    a = parser.parse_args()
    print("wrote %s and %s" % convert(a.checkpoint, a.out_dir, a.dataset, a.nanogpt, a.allow_tanh_gelu))
