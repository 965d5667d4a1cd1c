/// The Python files `attend export pytorch` writes beside the weights: a self-contained PyTorch module
/// reproducing Attend's forward pass (`model.py`) and a torchrun / DDP training stub (`train_ddp.py`).
/// Tensor names equal Attend's checkpoint keys, so `attend import` reads weights trained with them.
public enum PyTorchSources {
    /// model.py: `DecoderOnly` and `EncoderDecoder` as `torch.nn.Module`s with Attend's parameter names,
    /// softmax / linear (elu+1) / linear-relu attention, pre- or post-LN, tanh or erf GELU, ReLU, SiLU,
    /// the encoder–decoder's key width (`keyDim`) and learned positions;
    /// `load(folder)` builds the model from attend_config.json and loads model.safetensors.
    public static let model = #"""
"""Attend's models in PyTorch (written by `attend export pytorch`).

Self-contained: needs torch and safetensors only. Parameter names equal Attend's checkpoint keys, so
`save(model, folder)` writes weights that `attend import --from folder --out RUN` brings back.
Shapes: tokens [B, T]; attention tensors [B, H, T, D]; Linear weights [out, in] (as Attend).
"""
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

LAYER_NORM_EPS = 1e-5      # Attend's LayerNorm epsilon
LINEAR_EPS = 1e-6          # Attend's linear-attention normaliser epsilon


def activation(name, x):
    if name == "gelu":
        return F.gelu(x, approximate="tanh")   # GPT-2's tanh form (Attend's default)
    if name == "gelu-exact":
        return F.gelu(x)                       # erf form (nn.GELU, nanoGPT)
    if name == "relu":
        return F.relu(x)
    if name == "silu":
        return F.silu(x)
    raise ValueError(f"unknown activation {name}")


class LayerNorm(nn.Module):
    def __init__(self, dim, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.bias = nn.Parameter(torch.zeros(dim)) if bias else None

    def forward(self, x):
        return F.layer_norm(x, (x.shape[-1],), self.weight, self.bias, LAYER_NORM_EPS)


def attention(kind, q, k, v, causal, key_lengths=None):
    """Attend's attention kinds on [B, H, T, D] tensors; key_lengths [B] masks padded keys."""
    t, s = q.shape[2], k.shape[2]
    keep = torch.ones(t, s, dtype=torch.bool, device=q.device)
    if causal:
        keep = torch.tril(keep)
    keep = keep[None, None]
    if key_lengths is not None:
        keep = keep & (torch.arange(s, device=q.device)[None, :] < key_lengths[:, None])[:, None, None, :]
    if kind == "softmax":
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(q.shape[-1])
        return torch.softmax(scores.masked_fill(~keep, float("-inf")), dim=-1) @ v
    if kind in ("linear", "linear-relu"):
        # O_i = sum_j (phi(q_i).phi(k_j)) v_j / (sum_j phi(q_i).phi(k_j) + eps) over the kept j
        fq, fk = (F.elu(q) + 1, F.elu(k) + 1) if kind == "linear" else (F.relu(q), F.relu(k))
        weights = (fq @ fk.transpose(-1, -2)) * keep
        return (weights @ v) / (weights.sum(-1, keepdim=True) + LINEAR_EPS)
    raise ValueError(f"attention {kind} is not in model.py (softmax, linear, linear-relu)")


def split_heads(x, heads):
    b, t, c = x.shape
    return x.view(b, t, heads, c // heads).transpose(1, 2)


def merge_heads(x):
    b, h, t, d = x.shape
    return x.transpose(1, 2).reshape(b, t, h * d)


class MultiHeadAttention(nn.Module):
    """Fused qkv [2*H*dk + C, C] (q | k | v along the output; [3C, C] when dk = C/H), heads split within
    each part, output [C, C]. dk is the query/key width per head (the encoder-decoder's keyDim)."""
    def __init__(self, dim, heads, kind, bias, key_dim=None):
        super().__init__()
        self.heads, self.kind = heads, kind
        self.key_width = heads * (key_dim or dim // heads)
        self.qkv = nn.Linear(dim, 2 * self.key_width + dim, bias=bias)
        self.output = nn.Linear(dim, dim, bias=bias)

    def forward(self, x, causal, key_lengths=None):
        parts = self.qkv(x).split([self.key_width, self.key_width, self.output.in_features], dim=-1)
        q, k, v = (split_heads(p, self.heads) for p in parts)
        return self.output(merge_heads(attention(self.kind, q, k, v, causal, key_lengths)))


class CrossAttention(nn.Module):
    """query [H*dk, C] on the decoder stream, keyValue [H*dk + C, C] (k | v) on the encoder output."""
    def __init__(self, dim, heads, kind, bias, key_dim=None):
        super().__init__()
        self.heads, self.kind = heads, kind
        self.key_width = heads * (key_dim or dim // heads)
        self.query = nn.Linear(dim, self.key_width, bias=bias)
        self.keyValue = nn.Linear(dim, self.key_width + dim, bias=bias)
        self.output = nn.Linear(dim, dim, bias=bias)

    def forward(self, x, memory, key_lengths):
        q = split_heads(self.query(x), self.heads)
        k, v = (split_heads(p, self.heads) for p in self.keyValue(memory).split([self.key_width, self.output.in_features], dim=-1))
        return self.output(merge_heads(attention(self.kind, q, k, v, False, key_lengths)))


class FeedForward(nn.Module):
    def __init__(self, dim, hidden, act, bias):
        super().__init__()
        self.act = act
        self.up = nn.Linear(dim, hidden, bias=bias)
        self.down = nn.Linear(hidden, dim, bias=bias)

    def forward(self, x):
        return self.down(activation(self.act, self.up(x)))


def residual(pre, norm, x, f, drop):
    """pre-LN: x + f(LN(x)); post-LN: LN(x + f(x))."""
    return x + drop(f(norm(x))) if pre else norm(x + drop(f(x)))


class Block(nn.Module):
    """Self-attention block (decoder-only model and encoder)."""
    def __init__(self, cfg, kind, causal):
        super().__init__()
        c, b = cfg["modelDim"], cfg["bias"]
        self.causal, self.pre = causal, cfg["normPlacement"] == "pre"
        self.norm1 = LayerNorm(c, b)
        self.attention = MultiHeadAttention(c, cfg["numHeads"], kind, b, cfg.get("keyDim"))
        self.norm2 = LayerNorm(c, b)
        self.feedForward = FeedForward(c, cfg["hiddenDim"], cfg["activation"], b)
        self.drop = nn.Dropout(cfg["dropout"])

    def forward(self, x, key_lengths=None):
        x = residual(self.pre, self.norm1, x, lambda h: self.attention(h, self.causal, key_lengths), self.drop)
        return residual(self.pre, self.norm2, x, self.feedForward, self.drop)


class DecoderBlock(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        c, b, h = cfg["modelDim"], cfg["bias"], cfg["numHeads"]
        self.pre = cfg["normPlacement"] == "pre"
        self.norm1 = LayerNorm(c, b)
        self.selfAttention = MultiHeadAttention(c, h, cfg["decoderAttention"], b, cfg.get("keyDim"))
        self.norm2 = LayerNorm(c, b)
        self.crossAttention = CrossAttention(c, h, cfg["crossAttention"], b, cfg.get("keyDim"))
        self.norm3 = LayerNorm(c, b)
        self.feedForward = FeedForward(c, cfg["hiddenDim"], cfg["activation"], b)
        self.drop = nn.Dropout(cfg["dropout"])

    def forward(self, x, memory, source_lengths):
        x = residual(self.pre, self.norm1, x, lambda h: self.selfAttention(h, True), self.drop)
        x = residual(self.pre, self.norm2, x, lambda h: self.crossAttention(h, memory, source_lengths), self.drop)
        return residual(self.pre, self.norm3, x, self.feedForward, self.drop)


class DecoderOnly(nn.Module):
    """GPT-style language model: tokens [B, T] -> logits [B, T, vocab] (and the mean loss with targets)."""
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        c = cfg["modelDim"]
        self.tokenEmbedding = nn.Embedding(cfg["vocabSize"], c)
        if cfg.get("positions", "learned") == "learned":
            self.positionEmbedding = nn.Embedding(cfg["contextLength"], c)
        self.blocks = nn.ModuleList([Block(cfg, cfg["attention"], True) for _ in range(cfg["numLayers"])])
        self.finalNorm = LayerNorm(c, cfg["bias"])
        if not cfg["tieWeights"]:
            self.head = nn.Linear(c, cfg["vocabSize"], bias=False)
        self.drop = nn.Dropout(cfg["dropout"])

    def forward(self, tokens, targets=None):
        x = self.tokenEmbedding(tokens)
        if hasattr(self, "positionEmbedding"):
            x = x + self.positionEmbedding(torch.arange(tokens.shape[1], device=tokens.device))
        x = self.drop(x)
        for block in self.blocks:
            x = block(x)
        x = self.finalNorm(x)
        logits = x @ (self.head.weight if hasattr(self, "head") else self.tokenEmbedding.weight).T
        if targets is None:
            return logits
        return logits, F.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=-1)


def sinusoidal_positions(length, dim):
    """PE[pos, 2i] = sin(pos / 10000^(2i/C)), PE[pos, 2i+1] = cos(...), computed in float64 as Attend does."""
    pos = torch.arange(length, dtype=torch.float64)[:, None]
    i = torch.arange(0, dim, 2, dtype=torch.float64)
    angle = pos / torch.pow(torch.tensor(10000.0, dtype=torch.float64), i / dim)
    table = torch.zeros(length, dim, dtype=torch.float64)
    table[:, 0::2] = torch.sin(angle)
    table[:, 1::2] = torch.cos(angle)[:, : dim // 2]
    return table.float()


class EncoderDecoder(nn.Module):
    """The 2017 Transformer: source [B, S] (+ lengths [B]) and target input [B, T] -> logits [B, T, vocab].
    positions "learned": one trained table per side (encoderPositions, decoderPositions [maxLength, C])."""
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        c = cfg["modelDim"]
        self.embedding = nn.Embedding(cfg["vocabSize"], c)
        if cfg.get("positions", "sinusoidal") == "learned":
            self.encoderPositions = nn.Embedding(cfg["maxLength"], c)
            self.decoderPositions = nn.Embedding(cfg["maxLength"], c)
        self.encoder = nn.ModuleList([Block(cfg, cfg["encoderAttention"], False) for _ in range(cfg["numEncoderLayers"])])
        self.decoder = nn.ModuleList([DecoderBlock(cfg) for _ in range(cfg["numDecoderLayers"])])
        if cfg["normPlacement"] == "pre":
            self.encoderNorm = LayerNorm(c, cfg["bias"])
            self.decoderNorm = LayerNorm(c, cfg["bias"])
        positions = cfg.get("positions", "sinusoidal") == "sinusoidal"
        self.register_buffer("positions", sinusoidal_positions(cfg["maxLength"], c) if positions else None, persistent=False)
        self.drop = nn.Dropout(cfg["dropout"])

    def embed(self, ids, learned=None):
        x = self.embedding(ids) * math.sqrt(self.cfg["modelDim"])
        if self.positions is not None:
            x = x + self.positions[: ids.shape[1]]
        if learned is not None:
            x = x + learned.weight[: ids.shape[1]]
        return self.drop(x)

    def encode(self, source, source_lengths):
        x = self.embed(source, getattr(self, "encoderPositions", None))
        for block in self.encoder:
            x = block(x, source_lengths)
        return self.encoderNorm(x) if hasattr(self, "encoderNorm") else x

    def decode(self, target_input, memory, source_lengths):
        x = self.embed(target_input, getattr(self, "decoderPositions", None))
        for block in self.decoder:
            x = block(x, memory, source_lengths)
        if hasattr(self, "decoderNorm"):
            x = self.decoderNorm(x)
        return x @ self.embedding.weight.T

    def forward(self, source, source_lengths, target_input):
        return self.decode(target_input, self.encode(source, source_lengths), source_lengths)


def build(folder):
    """The model described by folder/attend_config.json, with fresh weights."""
    with open(os.path.join(folder, "attend_config.json")) as f:
        meta = json.load(f)
    cfg = meta["model"]
    return DecoderOnly(cfg) if meta["family"] == "decoder-only" else EncoderDecoder(cfg)


def load(folder):
    """The model of an `attend export pytorch` folder with its weights (strict: every name must match)."""
    model = build(folder)
    model.load_state_dict(load_file(os.path.join(folder, "model.safetensors")), strict=True)
    return model


def save(model, folder):
    """Writes the weights as folder/model.safetensors under Attend's names (for `attend import`)."""
    state = {k: v.detach().float().contiguous().cpu() for k, v in model.state_dict().items()}
    save_file(state, os.path.join(folder, "model.safetensors"), metadata={"format": "pt"})
"""#

    /// train_ddp.py: a torchrun / DistributedDataParallel training loop for an exported character
    /// language model (an encoder–decoder export gets the same skeleton with the batches left to the user).
    public static let trainDDP = #"""
"""Continue training an exported Attend model with PyTorch's distributed tooling (a stub to adapt).

    torchrun --nproc_per_node 1 train_ddp.py --data input.txt --steps 100 --out continued
    torchrun --nnodes 2 --nproc_per_node 8 --rdzv_endpoint HOST:29500 train_ddp.py ...

Uses NCCL on GPUs and gloo on CPUs. Rank 0 writes --out (model.safetensors under Attend's names plus the
export's attend_config.json / attend_state.json), which `attend import --from OUT --out RUN` brings back.
The character vocabulary is the one in attend_state.json. Encoder-decoder exports: replace `batches()`.
"""
import argparse
import json
import os
import shutil

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

import model as attend_model

here = os.path.dirname(os.path.abspath(__file__))
parser = argparse.ArgumentParser()
parser.add_argument("--data", required=True, help="text file (characters of the exported vocabulary)")
parser.add_argument("--steps", type=int, default=100)
parser.add_argument("--batch-size", type=int, default=12)
parser.add_argument("--learning-rate", type=float, default=3e-4)
parser.add_argument("--out", required=True)
args = parser.parse_args()

backend = "nccl" if torch.cuda.is_available() else "gloo"
dist.init_process_group(backend)
rank, world = dist.get_rank(), dist.get_world_size()
device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}" if backend == "nccl" else "cpu")
torch.manual_seed(1337 + rank)

model = attend_model.load(here).to(device)
with open(os.path.join(here, "attend_config.json")) as f:
    meta = json.load(f)
if meta["family"] != "decoder-only":
    raise SystemExit("this stub trains the character language model; write batches() for your encoder-decoder data")
with open(os.path.join(here, "attend_state.json")) as f:
    characters = json.load(f)["tokenizer"]["characters"]
index = {ch: i for i, ch in enumerate(characters)}
with open(args.data, encoding="utf-8") as f:
    text = f.read()
unknown = sorted(set(text) - set(index))
if unknown:
    raise SystemExit(f"{args.data} has characters outside the model's vocabulary: {unknown[:10]}")
data = torch.tensor([index[ch] for ch in text], dtype=torch.long)
context = meta["model"]["contextLength"]


def batches():
    """Random windows as nanoGPT's get_batch: inputs [B, T], targets shifted by one."""
    while True:
        starts = torch.randint(len(data) - context - 1, (args.batch_size,))
        x = torch.stack([data[s: s + context] for s in starts])
        y = torch.stack([data[s + 1: s + 1 + context] for s in starts])
        yield x.to(device), y.to(device)


ddp = DDP(model, device_ids=[device.index] if backend == "nccl" else None)
optimizer = torch.optim.AdamW(ddp.parameters(), lr=args.learning_rate, betas=(0.9, 0.99), weight_decay=0.1)
stream = batches()
for step in range(1, args.steps + 1):
    x, y = next(stream)
    _, loss = ddp(x, y)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(ddp.parameters(), 1.0)
    optimizer.step()
    if rank == 0 and (step % 10 == 0 or step == args.steps):
        print(f"step {step}/{args.steps} loss {loss.item():.4f} ({world} process{'es' if world > 1 else ''}, {backend})", flush=True)

if rank == 0:
    os.makedirs(args.out, exist_ok=True)
    for name in ("attend_config.json", "attend_state.json", "model.py"):
        shutil.copy(os.path.join(here, name), os.path.join(args.out, name))
    attend_model.save(model, args.out)
    print(f"wrote {args.out}; bring it back with: attend import --from {args.out} --out RUN")
dist.destroy_process_group()
"""#
}
