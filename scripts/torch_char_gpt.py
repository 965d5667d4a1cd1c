#!/usr/bin/env python3
"""PyTorch (eager, CPU) reference for the shakespeare-char training benchmark.

Reproduces nanoGPT's CPU recipe for shakespeare-char
(https://github.com/karpathy/nanoGPT, README "I only have a macbook"):

    python train.py config/train_shakespeare_char.py --device=cpu --compile=False \
        --block_size=64 --batch_size=12 --n_layer=4 --n_head=4 --n_embd=128 \
        --max_iters=2000 --lr_decay_iters=2000 --dropout=0.0

in one self-contained file: data preparation (prepare.py), get_batch,
the GPT model (model.py, compacted), configure_optimizers, get_lr and the
training loop (train.py), plus timing.

Progress goes to stderr; one JSON line with the results goes to stdout.

Quick smoke run:   python3 scripts/torch_char_gpt.py --steps 50 --eval-iters 5
Full recipe:       python3 scripts/torch_char_gpt.py --seed 1 > /tmp/torch_seed1.json
"""

import argparse
import json
import math
import os
import platform
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
from torch.nn import functional as F


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------
# Model (nanoGPT model.py, compacted; module creation order kept identical so
# that the same torch seed gives the same initial weights as nanoGPT).


class LayerNorm(nn.Module):
    """LayerNorm with an optional bias (nanoGPT; bias=False -> weight only)."""

    def __init__(self, ndim, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(ndim))
        self.bias = nn.Parameter(torch.zeros(ndim)) if bias else None

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias, 1e-5)


class CausalSelfAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        assert cfg.n_embd % cfg.n_head == 0
        self.c_attn = nn.Linear(cfg.n_embd, 3 * cfg.n_embd, bias=cfg.bias)
        self.c_proj = nn.Linear(cfg.n_embd, cfg.n_embd, bias=cfg.bias)
        self.attn_dropout = nn.Dropout(cfg.dropout)
        self.resid_dropout = nn.Dropout(cfg.dropout)
        self.n_head = cfg.n_head
        self.n_embd = cfg.n_embd
        self.dropout = cfg.dropout
        self.sdpa = cfg.sdpa
        if not self.sdpa:
            mask = torch.tril(torch.ones(cfg.block_size, cfg.block_size))
            self.register_buffer("mask", mask.view(1, 1, cfg.block_size, cfg.block_size))

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        hs = C // self.n_head
        k = k.view(B, T, self.n_head, hs).transpose(1, 2)  # (B, nh, T, hs)
        q = q.view(B, T, self.n_head, hs).transpose(1, 2)
        v = v.view(B, T, self.n_head, hs).transpose(1, 2)
        if self.sdpa:
            y = F.scaled_dot_product_attention(
                q, k, v, attn_mask=None,
                dropout_p=self.dropout if self.training else 0.0, is_causal=True)
        else:
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hs))
            att = att.masked_fill(self.mask[:, :, :T, :T] == 0, float("-inf"))
            att = F.softmax(att, dim=-1)
            att = self.attn_dropout(att)
            y = att @ v  # (B, nh, T, hs)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_dropout(self.c_proj(y))


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.c_fc = nn.Linear(cfg.n_embd, 4 * cfg.n_embd, bias=cfg.bias)
        # nanoGPT uses the exact (erf) GELU; we use the GPT-2 tanh form to
        # match the Swift implementation.
        self.gelu = nn.GELU(approximate="tanh")
        self.c_proj = nn.Linear(4 * cfg.n_embd, cfg.n_embd, bias=cfg.bias)
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, x):
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.ln_1 = LayerNorm(cfg.n_embd, bias=cfg.bias)
        self.attn = CausalSelfAttention(cfg)
        self.ln_2 = LayerNorm(cfg.n_embd, bias=cfg.bias)
        self.mlp = MLP(cfg)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        x = x + self.mlp(self.ln_2(x))
        return x


class GPT(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(cfg.vocab_size, cfg.n_embd),
            wpe=nn.Embedding(cfg.block_size, cfg.n_embd),
            drop=nn.Dropout(cfg.dropout),
            h=nn.ModuleList([Block(cfg) for _ in range(cfg.n_layer)]),
            ln_f=LayerNorm(cfg.n_embd, bias=cfg.bias),
        ))
        self.lm_head = nn.Linear(cfg.n_embd, cfg.vocab_size, bias=False)
        # weight tying (https://paperswithcode.com/method/weight-tying)
        self.transformer.wte.weight = self.lm_head.weight
        self.apply(self._init_weights)
        # scaled init of the residual projections, per GPT-2
        for pn, p in self.named_parameters():
            if pn.endswith("c_proj.weight"):
                torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * cfg.n_layer))

    @staticmethod
    def _init_weights(module):
        if isinstance(module, nn.Linear):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                torch.nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def num_params(self, non_embedding=True):
        n = sum(p.numel() for p in self.parameters())
        if non_embedding:
            n -= self.transformer.wpe.weight.numel()
        return n

    def forward(self, idx, targets):
        B, T = idx.size()
        assert T <= self.cfg.block_size
        pos = torch.arange(0, T, dtype=torch.long, device=idx.device)
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
        for block in self.transformer.h:
            x = block(x)
        x = self.transformer.ln_f(x)
        logits = self.lm_head(x)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)

    def configure_optimizers(self, weight_decay, learning_rate, betas, eps):
        # named_parameters() de-duplicates the tied wte/lm_head weight.
        params = {pn: p for pn, p in self.named_parameters() if p.requires_grad}
        decay = [p for p in params.values() if p.dim() >= 2]
        nodecay = [p for p in params.values() if p.dim() < 2]
        groups = [
            {"params": decay, "weight_decay": weight_decay},
            {"params": nodecay, "weight_decay": 0.0},
        ]
        log(f"num decayed parameter tensors: {len(decay)}, with {sum(p.numel() for p in decay):,} parameters")
        log(f"num non-decayed parameter tensors: {len(nodecay)}, with {sum(p.numel() for p in nodecay):,} parameters")
        return torch.optim.AdamW(groups, lr=learning_rate, betas=betas, eps=eps)


# ----------------------------------------------------------------------------


def cpu_model_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def peak_rss_mb():
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux: KiB; macOS: bytes.
    return r / (1024.0 * 1024.0) if sys.platform == "darwin" else r / 1024.0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--data", default=os.path.join(here, "..", "Data", "tinyshakespeare.txt"))
    ap.add_argument("--steps", "--max-iters", dest="steps", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    ap.add_argument("--eval-interval", type=int, default=250)
    ap.add_argument("--eval-iters", type=int, default=200)
    ap.add_argument("--log-interval", type=int, default=10)
    ap.add_argument("--warmup-steps", type=int, default=10, help="steps excluded from timing statistics")
    # model
    ap.add_argument("--n-layer", type=int, default=4)
    ap.add_argument("--n-head", type=int, default=4)
    ap.add_argument("--n-embd", type=int, default=128)
    ap.add_argument("--block-size", type=int, default=64)
    ap.add_argument("--batch-size", type=int, default=12)
    ap.add_argument("--dropout", type=float, default=0.0)
    ap.add_argument("--bias", action="store_true", help="biases in Linear and LayerNorm (default off)")
    ap.add_argument("--sdpa", action="store_true", help="F.scaled_dot_product_attention instead of the manual path")
    # optimiser / schedule
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--min-lr", type=float, default=1e-4)
    ap.add_argument("--warmup-iters", type=int, default=100)
    ap.add_argument("--lr-decay-iters", type=int, default=2000)
    ap.add_argument("--no-decay-lr", action="store_true", help="constant learning rate")
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--beta1", type=float, default=0.9)
    ap.add_argument("--beta2", type=float, default=0.99)
    ap.add_argument("--eps", type=float, default=1e-8)
    ap.add_argument("--grad-clip", type=float, default=1.0, help="0 disables clipping")
    ap.add_argument("--precision", choices=["fp32", "bf16"], default="fp32",
                    help="bf16: torch.autocast('cpu', dtype=torch.bfloat16) around forward and loss (fp32 master weights)")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)  # model init

    # ---- data (nanoGPT data/shakespeare_char/prepare.py) ----
    with open(args.data, "r", encoding="utf-8") as f:
        text = f.read()
    chars = sorted(list(set(text)))
    vocab_size = len(chars)
    stoi = {ch: i for i, ch in enumerate(chars)}
    data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
    n = len(data)
    splits = {"train": data[: int(n * 0.9)], "val": data[int(n * 0.9):]}
    log(f"dataset: {n:,} chars, vocab {vocab_size}, train {len(splits['train']):,}, val {len(splits['val']):,}")

    B, T = args.batch_size, args.block_size
    train_gen = torch.Generator().manual_seed(args.seed)
    eval_gen = torch.Generator().manual_seed(args.seed + 1_000_003)

    def get_batch(split, gen):
        d = splits[split]
        ix = torch.randint(len(d) - T, (B,), generator=gen)
        x = torch.stack([d[i: i + T] for i in ix])
        y = torch.stack([d[i + 1: i + 1 + T] for i in ix])
        return x, y

    # ---- model / optimiser ----
    class Cfg:
        pass

    cfg = Cfg()
    cfg.vocab_size, cfg.block_size = vocab_size, T
    cfg.n_layer, cfg.n_head, cfg.n_embd = args.n_layer, args.n_head, args.n_embd
    cfg.dropout, cfg.bias, cfg.sdpa = args.dropout, args.bias, args.sdpa
    model = GPT(cfg)
    n_params = model.num_params()
    log(f"number of parameters: {n_params / 1e6:.2f}M (non-embedding, nanoGPT convention)")
    optimizer = model.configure_optimizers(args.weight_decay, args.lr, (args.beta1, args.beta2), args.eps)
    attention = "sdpa" if args.sdpa else "manual"
    log(f"torch {torch.__version__}, threads {torch.get_num_threads()}, attention {attention}, bias {args.bias}")

    def get_lr(it):  # nanoGPT train.py
        if args.no_decay_lr:
            return args.lr
        if it < args.warmup_iters:
            return args.lr * (it + 1) / (args.warmup_iters + 1)
        if it > args.lr_decay_iters:
            return args.min_lr
        decay_ratio = (it - args.warmup_iters) / (args.lr_decay_iters - args.warmup_iters)
        assert 0 <= decay_ratio <= 1
        coeff = 0.5 * (1.0 + math.cos(math.pi * decay_ratio))
        return args.min_lr + coeff * (args.lr - args.min_lr)

    @torch.no_grad()
    def estimate_loss():
        model.eval()
        out = {}
        for split in ("train", "val"):
            losses = torch.zeros(args.eval_iters)
            for k in range(args.eval_iters):
                x, y = get_batch(split, eval_gen)
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.precision == "bf16"):
                    losses[k] = model(x, y).item()
            out[split] = losses.mean().item()
        model.train()
        return out

    # ---- training loop ----
    rss_before_train = peak_rss_mb()  # mostly the torch import itself
    step_times = []
    evals = []
    eval_time = 0.0
    losses = None
    model.train()
    for it in range(args.steps + 1):
        if it % args.eval_interval == 0 or it == args.steps:
            t0 = time.perf_counter()
            losses = estimate_loss()
            eval_time += time.perf_counter() - t0
            evals.append([it, round(losses["train"], 6), round(losses["val"], 6)])
            log(f"step {it}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}")
        if it == args.steps:
            break

        t0 = time.perf_counter()
        lr = get_lr(it)
        for g in optimizer.param_groups:
            g["lr"] = lr
        x, y = get_batch("train", train_gen)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.precision == "bf16"):
            loss = model(x, y)
        loss.backward()
        if args.grad_clip != 0.0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        dt = time.perf_counter() - t0
        step_times.append(dt)
        if it % args.log_interval == 0:
            log(f"iter {it}: loss {loss.item():.4f}, lr {lr:.2e}, time {dt * 1000:.2f}ms")

    timed = step_times[args.warmup_steps:] if len(step_times) > args.warmup_steps else step_times
    med = statistics.median(timed) if timed else float("nan")
    mean = statistics.fmean(timed) if timed else float("nan")
    result = {
        "impl": "pytorch",
        "precision": args.precision,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "steps": args.steps,
        "seed": args.seed,
        "ms_per_step_median": round(med * 1000, 4),
        "ms_per_step_mean": round(mean * 1000, 4),
        "tokens_per_s": round(B * T / mean, 1),  # throughput = tokens / mean step time
        "final_val_loss": round(losses["val"], 6),
        "final_train_loss": round(losses["train"], 6),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "peak_rss_before_train_mb": round(rss_before_train, 1),
        "attention": attention,
        "cpu": cpu_model_name(),
        "bias": args.bias,
        "timed_steps": len(timed),
        "train_time_s": round(sum(step_times), 3),
        "eval_time_s": round(eval_time, 3),
        "n_params_non_embedding": n_params,
        "config": {
            "n_layer": args.n_layer, "n_head": args.n_head, "n_embd": args.n_embd,
            "block_size": T, "batch_size": B, "vocab_size": vocab_size, "dropout": args.dropout,
            "lr": args.lr, "min_lr": args.min_lr, "warmup_iters": args.warmup_iters,
            "lr_decay_iters": args.lr_decay_iters, "weight_decay": args.weight_decay,
            "betas": [args.beta1, args.beta2], "eps": args.eps, "grad_clip": args.grad_clip,
            "eval_interval": args.eval_interval, "eval_iters": args.eval_iters,
        },
        "evals": evals,  # [step, train_loss, val_loss]
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
