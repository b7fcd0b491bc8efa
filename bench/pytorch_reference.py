#!/usr/bin/env python3
"""PyTorch CPU reference for `bench/train.ts`: the same GPT as the tfjs engine, same steps.

Architecture (mirrors src/core/model/transformer.ts with DEFAULT_MODEL's axes): learned token and
position embeddings, pre-norm blocks with LayerNorm, causal multi-head attention with separate
Q/K/V/O projections (biases on), exact GELU MLP with d_ff = 4·d, final LayerNorm, untied output
layer with bias. AdamW (β = 0.9/0.99, ε = 1e-8, λ = 0.1 on weight matrices only), per-model
global-norm clipping at 1, fp32, random tokens. Prints one JSON line:
tokensPerSecond, tokensPerCpuSecond (process CPU time: user + system over all threads), msPerStep.

Run with /usr/bin/python3 (torch 1.13 CPU here):
  /usr/bin/python3 bench/pytorch_reference.py --config small --steps 30 [--threads N]
"""
import argparse
import json
import math
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

CONFIGS = {
    # name: (d_model, layers, context, batch)
    "small": (64, 2, 32, 16),
    "medium": (256, 4, 128, 32),
}
VOCAB = 64
HEADS = 4


class Block(nn.Module):
    def __init__(self, d: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(d)
        self.q = nn.Linear(d, d)
        self.k = nn.Linear(d, d)
        self.v = nn.Linear(d, d)
        self.o = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def attention(self, h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, t, d = h.shape
        hd = d // self.heads

        def split(x: torch.Tensor) -> torch.Tensor:
            return x.view(b, t, self.heads, hd).transpose(1, 2)

        q, k, v = split(self.q(h)), split(self.k(h)), split(self.v(h))
        # Explicit softmax attention (as the tfjs engine computes it), not a fused SDPA kernel.
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(hd) + mask[:t, :t]
        y = torch.softmax(scores, dim=-1) @ v
        return self.o(y.transpose(1, 2).reshape(b, t, d))

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x = x + self.attention(self.ln1(x), mask)
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class GPT(nn.Module):
    def __init__(self, d: int, layers: int, ctx: int) -> None:
        super().__init__()
        self.tok = nn.Embedding(VOCAB, d)
        self.pos = nn.Embedding(ctx, d)
        self.blocks = nn.ModuleList(Block(d, HEADS) for _ in range(layers))
        self.ln_f = nn.LayerNorm(d)
        self.head = nn.Linear(d, VOCAB)
        self.register_buffer("mask", torch.triu(torch.full((ctx, ctx), -1e9), diagonal=1))
        for p in self.parameters():
            if p.dim() >= 2:
                nn.init.normal_(p, std=0.02)

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        t = idx.shape[1]
        x = self.tok(idx) + self.pos.weight[:t]
        for blk in self.blocks:
            x = blk(x, self.mask)
        return self.head(self.ln_f(x))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="small", choices=sorted(CONFIGS))
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch default)")
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    d, layers, ctx, batch = CONFIGS[a.config]
    model = GPT(d, layers, ctx)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and n not in ("tok.weight", "pos.weight")]
    other = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and n not in ("tok.weight", "pos.weight"))]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.1}, {"params": other, "weight_decay": 0.0}],
        lr=1e-3, betas=(0.9, 0.99), eps=1e-8,
    )
    g = torch.Generator().manual_seed(1234)
    data = [torch.randint(0, VOCAB, (batch, ctx + 1), generator=g) for _ in range(4)]

    def step(i: int) -> float:
        x = data[i % len(data)]
        logits = model(x[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, VOCAB), x[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()  # a readback per step, as the tfjs trainer does

    for i in range(a.warmup):
        step(i)
    c0, t0 = time.process_time(), time.perf_counter()
    loss = 0.0
    for i in range(a.steps):
        loss = step(i)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    tokens = batch * ctx * a.steps
    print(json.dumps({
        "bench": "pytorch_reference",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "config": a.config,
        "dModel": d, "nLayers": layers, "contextLength": ctx, "batchSize": batch,
        "params": sum(p.numel() for p in model.parameters()),
        "steps": a.steps,
        "msPerStep": round(1000 * wall / a.steps, 2),
        "tokensPerSecond": round(tokens / wall),
        "tokensPerCpuSecond": round(tokens / cpu),
        "finalLoss": round(loss, 4),
        "loadAverage": [round(x, 2) for x in os.getloadavg()],
    }))


if __name__ == "__main__":
    main()
