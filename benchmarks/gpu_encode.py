"""Encoding throughput of the bundled MiniLM on a CUDA GPU: the "one GPU run" of the capacity plan (issue 13).

    python benchmarks/gpu_encode.py --prepare DIR      (here: a float16 copy of the model, 45 MB, and reference
                                                        vectors from the float32 model on the CPU)
    PYTHONPATH=. python3 benchmarks/gpu_encode.py --run DIR      (on the GPU machine; one line of JSON)

Texts: the topics corpus (short, one sentence each) and passages of eight of its sentences (chunk-like), repeated
to 100,000 and 20,000 texts. Each is encoded by the same call a corpus encoder makes per batch
(``scale.corpus._encode_texts``), with the weights in float32 and in float16. The carried weights are the float16
copy (the device machine is offline and takes at most 64 MiB), so the float32 run uses those weights widened;
both are compared with the float32 model's vectors computed here on the CPU (cosine per text).
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

import numpy as np

REFERENCE_TEXTS = 256


def corpora() -> dict[str, list[str]]:
    import embedwidgets as ew

    sentences = ew.datasets.topics()["text"].tolist()
    passages = [" ".join(sentences[i : i + 8]) for i in range(0, len(sentences) - 8, 3)]
    return {
        "short": (sentences * (100_000 // len(sentences) + 1))[:100_000],
        "passage": (passages * (20_000 // len(passages) + 1))[:20_000],
    }


def prepare(folder: Path) -> None:
    import torch
    from safetensors.torch import load_file, save_file

    from embedwidgets.engine.encoders import SentenceEncoder
    from embedwidgets.models import minilm_path

    source = minilm_path()
    shutil.copytree(source, folder / "model", dirs_exist_ok=True, ignore=shutil.ignore_patterns("model.safetensors"))
    weights = {name: tensor.to(torch.float16) for name, tensor in load_file(source / "model.safetensors").items()}
    save_file(weights, folder / "model" / "model.safetensors", metadata={"format": "pt"})
    texts = corpora()
    encoder = SentenceEncoder(source, cache=False)
    for name, items in texts.items():
        np.save(folder / f"reference_{name}.npy", encoder.encode(items[:REFERENCE_TEXTS], progress=False))


def run(folder: Path) -> dict:
    import torch

    from embedwidgets.engine.encoders import SentenceEncoder
    from embedwidgets.scale.corpus import _encode_texts

    out: dict = {"gpu": torch.cuda.get_device_name(0)}
    texts = corpora()
    for precision in ("float32", "float16"):
        encoder = SentenceEncoder(folder / "model", cache=False, device="cuda")
        if precision == "float16":
            encoder.model.half()
        for name, items in texts.items():
            reference = np.load(folder / f"reference_{name}.npy", allow_pickle=False)
            got = _encode_texts(encoder, items[:REFERENCE_TEXTS], 256)
            cosine = (got * reference).sum(1) / np.linalg.norm(got, axis=1) / np.linalg.norm(reference, axis=1)
            _encode_texts(encoder, items[:2048], 256)  # warm-up
            torch.cuda.synchronize()
            started = time.perf_counter()
            _encode_texts(encoder, items, 256)
            torch.cuda.synchronize()
            seconds = time.perf_counter() - started
            out[f"{precision}_{name}"] = {
                "texts": len(items),
                "texts_per_second": round(len(items) / seconds),
                "min_cosine_vs_cpu_float32": round(float(cosine.min()), 5),
            }
        del encoder
        torch.cuda.empty_cache()
    return out


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--prepare", type=Path)
    p.add_argument("--run", type=Path)
    args = p.parse_args()
    if args.prepare:
        args.prepare.mkdir(parents=True, exist_ok=True)
        prepare(args.prepare)
    if args.run:
        print(json.dumps(run(args.run)))
