#!/usr/bin/env python3
"""Prove each path between Attend and the PyTorch ecosystem with the other tool's own code.

    pip install torch --index-url https://download.pytorch.org/whl/cpu && pip install transformers safetensors tiktoken
    swift build && python scripts/interop_check.py --nanogpt PATH/TO/nanoGPT > docs/interop-check.txt

Trains tiny models with `attend train` (debug builds are fine), then for every direction compares
next-token logits for the same ids in both tools (pass: max |difference| <= 1e-4):
  Attend -> Hugging Face    `attend export hf`, loaded by transformers.GPT2LMHeadModel (+ generate)
  Attend -> PyTorch module  `attend export pytorch`: model.py's forward (decoder-only and encoder-decoder,
                            softmax and linear attention; an encoder-decoder with d_k != d_v and learned positions)
  Attend -> nanoGPT         scripts/attend_to_nanogpt.py, loaded by nanoGPT's model.py (+ sample.py runs)
  nanoGPT -> Attend         a nanoGPT GPT trained a few steps, scripts/nanogpt_to_attend.py (+ attend generate)
  PyTorch -> Attend         weights trained with train_ddp.py (torchrun, 1 process, gloo) or model.py,
                            `attend import`, compared with model.py's logits; then `attend train --init-from`
Exits 1 when any comparison fails.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")     # no progress bars or notices in the record
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

import torch
from safetensors.torch import load_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOLERANCE = 1e-4
results = []


def run(cmd, cwd=None, env=None):
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"command failed ({p.returncode}): {' '.join(cmd)}\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    return p.stdout, p.stderr


def attend(*args):
    return run([ATTEND, *map(str, args)], cwd=ROOT)


def train(name, *flags):
    out = os.path.join(WORK, name)
    if not os.path.exists(os.path.join(out, "checkpoints", "latest")):
        shutil.rmtree(out, ignore_errors=True)
        attend("train", *flags, "--quiet", "--out", out)
    return out


def attend_logits(run_folder, ids=None, source=None, target=None):
    args = ["logits", "--checkpoint", run_folder]
    if ids is not None:
        args += ["--ids", ",".join(map(str, ids))]
    else:
        args += ["--source-ids", ",".join(map(str, source)), "--target-ids", ",".join(map(str, target))]
    out, _ = attend(*args)
    j = json.loads(out)
    return torch.tensor(j["logits"], dtype=torch.float32).view(*j["shape"])


def record(direction, model, diff):
    ok = diff <= TOLERANCE
    results.append((direction, model, diff, ok))
    print(f"{'PASS' if ok else 'FAIL'}  {direction:<26} {model:<44} max |logit diff| = {diff:.3e}", flush=True)


def load_module(folder, name="model"):
    """Imports folder/model.py as a fresh module (several exports are loaded in one process)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(f"{name}_{abs(hash(folder))}", os.path.join(folder, "model.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


IDS = [18, 47, 56, 57, 58, 1, 15, 47, 58, 47, 64, 43, 52, 10, 0, 14, 43, 44, 53, 56, 43]   # "First Citizen:\nBefore"
SOURCE, TARGET = [5, 9, 3, 12, 7, 4, 2], [1, 4, 7, 12, 3, 9, 5]


def check_hf(run_folder, label):
    from transformers import GPT2LMHeadModel, PreTrainedTokenizerFast
    out = os.path.join(WORK, os.path.basename(run_folder) + "-hf")
    shutil.rmtree(out, ignore_errors=True)
    attend("export", "hf", "--checkpoint", run_folder, "--out", out)
    model = GPT2LMHeadModel.from_pretrained(out).eval()
    with torch.no_grad():
        theirs = model(torch.tensor([IDS])).logits[0]
    record("Attend -> HF transformers", label, (attend_logits(run_folder, IDS) - theirs).abs().max().item())
    return model, PreTrainedTokenizerFast.from_pretrained(out), out


def check_pytorch(run_folder, label, encoder_decoder=False):
    out = os.path.join(WORK, os.path.basename(run_folder) + "-pt")
    shutil.rmtree(out, ignore_errors=True)
    attend("export", "pytorch", "--checkpoint", run_folder, "--out", out)
    module = load_module(out)
    model = module.load(out).eval()
    with torch.no_grad():
        if encoder_decoder:
            theirs = model(torch.tensor([SOURCE]), torch.tensor([len(SOURCE)]), torch.tensor([TARGET]))[0]
            ours = attend_logits(run_folder, source=SOURCE, target=TARGET)
        else:
            theirs = model(torch.tensor([IDS]))[0]
            ours = attend_logits(run_folder, IDS)
    record("Attend -> PyTorch model.py", label, (ours - theirs).abs().max().item())
    return out, module


def check_import(export_folder, module, label, encoder_decoder=False, retrain=None):
    """Changes the exported weights in PyTorch (retrain), imports them and compares model.py's logits with Attend's."""
    trained = export_folder + "-trained"
    if retrain is not None:
        retrain(export_folder, trained)
    run_folder = os.path.join(WORK, os.path.basename(trained) + "-imported")
    shutil.rmtree(run_folder, ignore_errors=True)
    attend("import", "--from", trained, "--out", run_folder)
    model = module.load(trained).eval()
    with torch.no_grad():
        if encoder_decoder:
            theirs = model(torch.tensor([SOURCE]), torch.tensor([len(SOURCE)]), torch.tensor([TARGET]))[0]
            ours = attend_logits(run_folder, source=SOURCE, target=TARGET)
        else:
            theirs = model(torch.tensor([IDS]))[0]
            ours = attend_logits(run_folder, IDS)
    record("PyTorch -> Attend import", label, (ours - theirs).abs().max().item())
    # The imported checkpoint holds exactly the trained tensors.
    latest = open(os.path.join(run_folder, "checkpoints", "latest")).read().strip()
    a = load_file(os.path.join(trained, "model.safetensors"))
    b = load_file(os.path.join(run_folder, "checkpoints", latest, "model.safetensors"))
    same = a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    print(f"      imported tensors bit-identical to the PyTorch-trained ones: {same}")
    if not same:
        results.append(("PyTorch -> Attend import", label + " (bit-identical)", float("nan"), False))
    return run_folder


def retrain_with_model_py(encoder_decoder):
    def retrain(export_folder, trained):
        shutil.rmtree(trained, ignore_errors=True)
        shutil.copytree(export_folder, trained)
        module = load_module(trained)
        model = module.load(trained).train()
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
        g = torch.Generator().manual_seed(0)
        vocab = model.cfg["vocabSize"]
        for _ in range(5):
            if encoder_decoder:
                src = torch.randint(3, vocab, (4, 6), generator=g)
                tgt = torch.cat([torch.ones(4, 1, dtype=torch.long), src.flip(1)], 1)
                logits = model(src, torch.full((4,), 6), tgt[:, :-1])
                loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1), tgt[:, 1:].flatten())
            else:
                x = torch.randint(0, vocab, (4, 16), generator=g)
                _, loss = model(x[:, :-1], x[:, 1:])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        module.save(model, trained)
    return retrain


def retrain_with_torchrun(export_folder, trained):
    shutil.rmtree(trained, ignore_errors=True)
    env = dict(os.environ, OMP_NUM_THREADS="1")
    out, err = run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "1", "train_ddp.py",
                    "--data", os.path.join(ROOT, "Data", "tinyshakespeare.txt"), "--steps", "20", "--batch-size", "4",
                    "--out", trained], cwd=export_folder, env=env)
    print("      torchrun train_ddp.py (1 process, gloo): " + " | ".join(line for line in out.splitlines() if line.startswith("step")))


def check_nanogpt_to_attend(nanogpt, bias):
    sys.path.insert(0, nanogpt)
    from model import GPT, GPTConfig
    text = open(os.path.join(ROOT, "Data", "tinyshakespeare.txt"), encoding="utf-8").read()
    chars = sorted(set(text))
    stoi = {c: i for i, c in enumerate(chars)}
    torch.manual_seed(0)
    args = dict(n_layer=2, n_head=2, n_embd=32, block_size=32, bias=bias, vocab_size=len(chars), dropout=0.0)
    model = GPT(GPTConfig(**args))
    optimizer = model.configure_optimizers(0.1, 1e-2, (0.9, 0.99), "cpu")
    data = torch.tensor([stoi[c] for c in text[:20000]])
    for _ in range(10):   # a few of nanoGPT's own training steps, so no weight keeps its initial value
        starts = torch.randint(len(data) - 33, (8,))
        x = torch.stack([data[s:s + 32] for s in starts])
        y = torch.stack([data[s + 1:s + 33] for s in starts])
        _, loss = model(x, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    label = f"nanoGPT GPT 2x2x32 bias={bias}"
    folder = os.path.join(WORK, f"nanogpt-bias-{bias}")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    import pickle
    torch.save({"model": model.state_dict(), "model_args": args, "iter_num": 10, "best_val_loss": loss.item(),
                "config": {"dataset": "shakespeare_char"}}, os.path.join(folder, "ckpt.pt"))
    with open(os.path.join(folder, "meta.pkl"), "wb") as f:
        pickle.dump({"vocab_size": len(chars), "itos": dict(enumerate(chars)), "stoi": stoi}, f)
    run_folder = folder + "-attend"
    shutil.rmtree(run_folder, ignore_errors=True)
    run([sys.executable, os.path.join(ROOT, "scripts", "nanogpt_to_attend.py"), "--ckpt", os.path.join(folder, "ckpt.pt"),
         "--meta", os.path.join(folder, "meta.pkl"), "--data", os.path.join(ROOT, "Data", "tinyshakespeare.txt"), "--out", run_folder])
    with torch.no_grad():
        theirs = model(torch.tensor([IDS]), torch.tensor([IDS]))[0][0]   # with targets nanoGPT returns every position
    record("nanoGPT -> Attend", label, (attend_logits(run_folder, IDS) - theirs).abs().max().item())
    out, _ = attend("generate", "--checkpoint", run_folder, "--prompt", "ROMEO:", "--tokens", "40", "--seed", "1")
    print(f"      attend generate on the converted nanoGPT model: {out.strip()!r}")
    sys.path.remove(nanogpt)
    return run_folder


def check_attend_to_nanogpt(run_folder, nanogpt, label):
    sys.path.insert(0, nanogpt)
    from model import GPT, GPTConfig
    out_dir = os.path.join(WORK, "nanogpt-out")
    shutil.rmtree(out_dir, ignore_errors=True)
    run([sys.executable, os.path.join(ROOT, "scripts", "attend_to_nanogpt.py"), "--checkpoint", run_folder, "--out-dir", out_dir,
         "--dataset", "attend_interop", "--nanogpt", nanogpt])
    ckpt = torch.load(os.path.join(out_dir, "ckpt.pt"), map_location="cpu", weights_only=False)
    model = GPT(GPTConfig(**ckpt["model_args"]))
    model.load_state_dict(ckpt["model"])
    model.eval()
    with torch.no_grad():
        theirs = model(torch.tensor([IDS]), torch.tensor([IDS]))[0][0]
    record("Attend -> nanoGPT", label, (attend_logits(run_folder, IDS) - theirs).abs().max().item())
    out, _ = run([sys.executable, "sample.py", f"--out_dir={out_dir}", "--device=cpu", "--dtype=float32", "--num_samples=1",
                  "--max_new_tokens=40", "--start=ROMEO:"], cwd=nanogpt)
    sample = out.split("Loading meta from")[-1].split("\n", 1)[-1].split("---------------")[0].strip()
    print(f"      nanoGPT sample.py on the converted Attend model: {sample!r}")
    sys.path.remove(nanogpt)


def main():
    global ATTEND, WORK
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attend", default=os.path.join(ROOT, ".build", "debug", "attend"))
    parser.add_argument("--work", default="/tmp/attend-interop")
    parser.add_argument("--nanogpt", help="a nanoGPT checkout (model.py, sample.py, configurator.py); skipped without one")
    a = parser.parse_args()
    ATTEND, WORK = a.attend, a.work
    os.makedirs(WORK, exist_ok=True)
    import transformers
    import safetensors
    print(f"torch {torch.__version__}, transformers {transformers.__version__}, safetensors {safetensors.__version__}; "
          f"attend {attend('--version')[0].strip()}; tolerance {TOLERANCE:g}")
    torch.set_num_threads(1)

    tiny = ["--preset", "tiny", "--max-steps", "20"]
    softmax = train("lm-softmax", *tiny)
    linear = train("lm-linear", *tiny, "--attention", "linear")
    relu = train("lm-linear-relu", *tiny, "--attention", "linear-relu", "--norm-placement", "post", "--activation", "silu")
    exact = train("lm-exact-bias", *tiny, "--activation", "gelu-exact", "--bias", "true")
    untied = train("lm-untied", *tiny, "--tie-weights", "false", "--num-layers", "2")
    seq = ["--task", "reverse", "--max-steps", "10", "--model-dim", "32", "--num-heads", "2", "--num-layers", "1",
           "--hidden-dim", "64", "--examples", "200"]
    ed_softmax = train("ed-softmax", *seq)
    ed_linear = train("ed-linear", *seq, "--encoder-attention", "linear", "--decoder-attention", "linear",
                      "--cross-attention", "linear", "--norm-placement", "pre", "--activation", "gelu")
    ed_keydim = train("ed-keydim", *seq, "--key-dim", "5", "--positions", "learned", "--norm-placement", "pre")

    print("\n== Attend -> Hugging Face transformers (GPT2LMHeadModel.from_pretrained)")
    model, tokenizer, _ = check_hf(softmax, "decoder-only softmax, gelu (tanh) -> gelu_new")
    check_hf(exact, "decoder-only softmax, gelu-exact -> gelu, biases")
    check_hf(untied, "decoder-only softmax, untied head, 2 layers")
    ids = tokenizer("ROMEO:", return_tensors="pt").input_ids
    generated = model.generate(ids, max_new_tokens=24, do_sample=True, top_k=10, pad_token_id=0)
    print(f"      transformers generate: {tokenizer.decode(generated[0])!r}")
    try:
        attend("export", "hf", "--checkpoint", linear, "--out", os.path.join(WORK, "refused"))
        print("FAIL  export hf of a linear-attention model was not refused")
        results.append(("refusal", "linear", float("nan"), False))
    except SystemExit as e:
        print("      refused as it should: " + [l for l in str(e).splitlines() if l.startswith("error:")][0])

    print("\n== Attend -> PyTorch module (attend export pytorch; model.py)")
    lm_pt, lm_module = check_pytorch(softmax, "decoder-only softmax")
    lin_pt, lin_module = check_pytorch(linear, "decoder-only linear (elu+1)")
    check_pytorch(relu, "decoder-only linear-relu, post-LN, silu")
    ed_pt, ed_module = check_pytorch(ed_softmax, "encoder-decoder softmax, post-LN, relu", encoder_decoder=True)
    edl_pt, edl_module = check_pytorch(ed_linear, "encoder-decoder linear (all three), pre-LN", encoder_decoder=True)
    edk_pt, edk_module = check_pytorch(ed_keydim, "encoder-decoder softmax, d_k 5, learned positions", encoder_decoder=True)

    print("\n== PyTorch -> Attend (weights trained in PyTorch, attend import)")
    imported = check_import(lm_pt, lm_module, "decoder-only softmax (torchrun train_ddp.py)", retrain=retrain_with_torchrun)
    check_import(lin_pt, lin_module, "decoder-only linear (model.py AdamW)", retrain=retrain_with_model_py(False))
    check_import(ed_pt, ed_module, "encoder-decoder softmax (model.py AdamW)", True, retrain_with_model_py(True))
    check_import(edl_pt, edl_module, "encoder-decoder linear (model.py AdamW)", True, retrain_with_model_py(True))
    check_import(edk_pt, edk_module, "encoder-decoder d_k 5, learned positions (model.py AdamW)", True, retrain_with_model_py(True))
    finetune = os.path.join(WORK, "finetuned")
    shutil.rmtree(finetune, ignore_errors=True)
    _, err = attend("train", *tiny[:2], "--max-steps", "5", "--init-from", imported, "--quiet", "--out", finetune)
    print("      attend train --init-from the imported run: " + " | ".join(l for l in err.splitlines() if "starting from" in l or "run folder" in l))
    out, _ = attend("generate", "--checkpoint", imported, "--prompt", "ROMEO:", "--tokens", "40")
    print(f"      attend generate on the imported run: {out.strip()!r}")

    if a.nanogpt:
        print("\n== nanoGPT <-> Attend (scripts/nanogpt_to_attend.py, scripts/attend_to_nanogpt.py)")
        check_nanogpt_to_attend(a.nanogpt, bias=False)
        check_nanogpt_to_attend(a.nanogpt, bias=True)
        check_attend_to_nanogpt(exact, a.nanogpt, "decoder-only gelu-exact, biases")
    else:
        print("\n(nanoGPT checks skipped: pass --nanogpt PATH)")

    print("\n== Summary (max |logit difference| per direction and model; tolerance %g)" % TOLERANCE)
    for direction, model, diff, ok in results:
        print(f"{'PASS' if ok else 'FAIL'}  {direction:<26} {model:<44} {diff:.3e}")
    failed = [r for r in results if not r[3]]
    print(f"{len(results) - len(failed)}/{len(results)} passed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
