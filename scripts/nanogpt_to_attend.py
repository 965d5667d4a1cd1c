#!/usr/bin/env python3
"""Convert a nanoGPT character checkpoint (ckpt.pt + meta.pkl) into an Attend run folder.

    python scripts/nanogpt_to_attend.py --ckpt out-shakespeare-char/ckpt.pt \
        --meta data/shakespeare_char/meta.pkl --data data/shakespeare_char/input.txt --out runs/nanogpt
    attend generate --checkpoint runs/nanogpt --prompt "ROMEO:"

Differences handled:
  * GELU: nanoGPT's nn.GELU() is the exact erf form; the run gets activation "gelu-exact" (Attend's
    default "gelu" is GPT-2's tanh form).
  * Layout: nanoGPT's c_attn / c_proj / c_fc are nn.Linear ([out, in], as Attend), so no transposes;
    q | k | v thirds of c_attn are Attend's qkv order.
  * bias=False: nanoGPT drops biases from Linear and LayerNorm layers, exactly as Attend's bias=false.
  * Tied wte / lm_head: tieWeights true, lm_head.weight not stored separately.
  * torch.compile's "_orig_mod." prefix and the causal-mask buffers ("attn.bias") are dropped.
  * LayerNorm epsilon 1e-5 and attention scale 1/sqrt(head dim) are the same in both.
  * The vocabulary is meta.pkl's itos in id order (nanoGPT's sorted character set, as Attend builds it).
The run folder has config.json and checkpoints/step-N/{model.safetensors, state.json}; no optimizer
state (nanoGPT's AdamW moments use other names), so continue training with
`attend train --init-from RUN ...` rather than --resume.
"""
import argparse
import json
import os
import pickle

import torch
from safetensors.torch import save_file


def convert(ckpt_path, meta_path, data, out):
    checkpoint = torch.load(ckpt_path, map_location="cpu", weights_only=False)
    args = checkpoint["model_args"]
    with open(meta_path, "rb") as f:
        meta = pickle.load(f)
    itos = meta["itos"]
    characters = [itos[i] for i in range(len(itos))]
    if any(len(ch) != 1 for ch in characters):
        raise SystemExit(f"{meta_path} is not a character vocabulary (entries longer than one character)")
    if args["vocab_size"] != len(characters):
        raise SystemExit(f"model vocab_size {args['vocab_size']} differs from meta.pkl's {len(characters)} characters")
    state = {k.removeprefix("_orig_mod."): v for k, v in checkpoint["model"].items()}
    c, layers = args["n_embd"], args["n_layer"]
    bias = bool(args.get("bias", True))
    names = {"transformer.wte.weight": "tokenEmbedding.weight", "transformer.wpe.weight": "positionEmbedding.weight",
             "transformer.ln_f.weight": "finalNorm.weight", "transformer.ln_f.bias": "finalNorm.bias"}
    for i in range(layers):
        for ours, theirs in [("norm1", "ln_1"), ("attention.qkv", "attn.c_attn"), ("attention.output", "attn.c_proj"),
                             ("norm2", "ln_2"), ("feedForward.up", "mlp.c_fc"), ("feedForward.down", "mlp.c_proj")]:
            for p in ("weight", "bias"):
                names[f"transformer.h.{i}.{theirs}.{p}"] = f"blocks.{i}.{ours}.{p}"
    tensors = {}
    for theirs, tensor in state.items():
        if theirs == "lm_head.weight":
            if not torch.equal(tensor, state["transformer.wte.weight"]):
                raise SystemExit("lm_head.weight differs from transformer.wte.weight; nanoGPT ties them and so does this conversion")
            continue
        if theirs.endswith(".attn.bias") and theirs not in names:   # causal mask buffer of non-flash nanoGPT
            continue
        if theirs not in names:
            raise SystemExit(f"unexpected tensor {theirs} in {ckpt_path}")
        if tensor is None:
            continue
        tensors[names[theirs]] = tensor.detach().float().contiguous()
    model = {"vocabSize": len(characters), "contextLength": args["block_size"], "modelDim": c, "numHeads": args["n_head"],
             "numLayers": layers, "hiddenDim": 4 * c, "dropout": float(args.get("dropout", 0.0)), "bias": bias,
             "tieWeights": True, "normPlacement": "pre", "activation": "gelu-exact", "positions": "learned",
             "attention": "softmax"}
    run_config = {"model": model, "training": {}, "data": os.path.abspath(data), "dataFormat": "text"}
    step = int(checkpoint.get("iter_num", 0))
    state_json = {"step": step, "config": run_config, "tokenizer": {"characters": characters},
                  "dataRNG": {"state": 1337}, "dropoutRNG": {"state": 1337}, "elapsedSeconds": 0,
                  "validationLoss": float(checkpoint["best_val_loss"]) if "best_val_loss" in checkpoint else None}
    folder = os.path.join(out, "checkpoints", f"step-{step:06d}")
    os.makedirs(folder, exist_ok=True)
    metadata = {"format": "attend", "modelConfig": json.dumps(model, sort_keys=True, separators=(",", ":"))}
    save_file(tensors, os.path.join(folder, "model.safetensors"), metadata=metadata)
    with open(os.path.join(folder, "state.json"), "w") as f:
        json.dump(state_json, f, indent=2, sort_keys=True)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(run_config, f, indent=2, sort_keys=True)
    with open(os.path.join(out, "checkpoints", "latest"), "w") as f:
        f.write(f"step-{step:06d}")
    return folder


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ckpt", required=True, help="nanoGPT ckpt.pt")
    parser.add_argument("--meta", required=True, help="the dataset's meta.pkl (stoi/itos)")
    parser.add_argument("--data", required=True, help="the training text (recorded as the run's data file)")
    parser.add_argument("--out", required=True, help="Attend run folder to write")
    a = parser.parse_args()
    print(f"wrote {convert(a.ckpt, a.meta, a.data, a.out)}")
