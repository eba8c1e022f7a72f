"""Sentence encoding with the bundled all-MiniLM-L6-v2: embedwidgets vs plain sentence-transformers.

    python benchmarks/encode.py [--json] [--n 1000] [--batch-size 64]

Goals: no overhead over plain sentence-transformers; a cached re-encode at least 100× faster.
"""

from __future__ import annotations

import random
import tempfile
import time

from _common import finish, parser, table

SUBJECTS = [
    "the doctor",
    "a small dog",
    "my neighbour",
    "the committee",
    "an old sailor",
    "the new phone",
    "our team",
    "the river",
    "a famous chef",
    "the city council",
    "the train",
    "a young student",
]
VERBS = ["described", "ignored", "celebrated", "questioned", "repaired", "photographed", "forgot", "praised"]
OBJECTS = [
    "the quiet harbour at dawn",
    "a long report about rising prices",
    "the broken bridge near the school",
    "an unusual recipe for lemon cake",
    "the results of the football match",
    "a map of the mountain trails",
    "the latest vaccine trial",
    "a collection of rare stamps",
    "the noisy construction site downtown",
]
ENDINGS = [
    "before the storm arrived",
    "while everyone else was asleep",
    "during the long holiday weekend",
    "after a surprisingly heated debate",
    "in front of a large and curious crowd",
    "without saying a word",
]


def sentences(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    out = set()
    while len(out) < n:
        out.add(
            f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(ENDINGS)} "
            f"number {rng.randrange(10**6)}"
        )
    return sorted(out)


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--batch-size", type=int, default=64)
    args = p.parse_args()

    import embedwidgets as ew
    from embedwidgets import SentenceEncoder

    texts = sentences(args.n)
    model = ew.minilm(cache=False).model
    model.encode(texts[:64], batch_size=args.batch_size)  # warm up
    with tempfile.TemporaryDirectory() as cache_dir:
        ours = SentenceEncoder(model, cache_dir=cache_dir)

        def timed(fn):
            started = time.perf_counter()
            fn()
            return time.perf_counter() - started

        plain_seconds = timed(lambda: model.encode(texts, batch_size=args.batch_size, convert_to_numpy=True))
        ours_seconds = timed(lambda: ours.encode(texts, batch_size=args.batch_size, progress=False))
        fresh = SentenceEncoder(model, cache_dir=cache_dir)  # reads the cache from disk, like a new session
        cached_seconds = timed(lambda: fresh.encode(texts, batch_size=args.batch_size))

    result = {
        "n": args.n,
        "plain_seconds": round(plain_seconds, 3),
        "ours_seconds": round(ours_seconds, 3),
        "overhead_ratio": round(ours_seconds / plain_seconds, 3),
        "cached_seconds": round(cached_seconds, 4),
        "cache_speedup": round(ours_seconds / cached_seconds, 1),
        "sentences_per_second": round(args.n / ours_seconds, 1),
    }
    print(
        table(
            [
                ("sentence-transformers", f"{plain_seconds:.2f}", f"{args.n / plain_seconds:.1f}"),
                ("embedwidgets, cold", f"{ours_seconds:.2f}", f"{args.n / ours_seconds:.1f}"),
                ("embedwidgets, cached", f"{cached_seconds:.4f}", f"{args.n / cached_seconds:.0f}"),
            ],
            ("", "seconds", "sentences/s"),
        )
    )
    print(f"overhead {result['overhead_ratio']}×, cached re-encode {result['cache_speedup']}× faster")
    finish(result, args.json)


if __name__ == "__main__":
    main()
