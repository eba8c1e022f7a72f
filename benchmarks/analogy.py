"""The Google analogy benchmark on GloVe 6B 50d: embedwidgets vs gensim, same vectors, same run.

    python benchmarks/analogy.py [--json] [--restrict-vocab 300000] [--repeats 3]

Goal: identical accuracy, at least 30× faster than gensim's evaluate_word_analogies.
"""

from __future__ import annotations

from _common import finish, median_seconds, parser, table


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--restrict-vocab", type=int, default=300000)
    p.add_argument("--repeats", type=int, default=3, help="timed runs of each (median)")
    args = p.parse_args()

    import torch
    from gensim.models import KeyedVectors
    from gensim.test.utils import datapath

    import embedwidgets as ew

    words = ew.glove()
    _ = words.unit  # build the normalised copy before timing, as gensim's fill_norms below
    kv = KeyedVectors(vector_size=words.dim)
    kv.add_vectors(words.labels, words.vectors)
    kv.fill_norms()
    path = datapath("questions-words.txt")

    report = words.evaluate_analogies(path, restrict_vocab=args.restrict_vocab)
    ours_seconds = median_seconds(
        lambda: words.evaluate_analogies(path, restrict_vocab=args.restrict_vocab), args.repeats, warmup=0
    )
    theirs: dict = {}

    def run_gensim() -> None:
        theirs["result"] = kv.evaluate_word_analogies(path, restrict_vocab=args.restrict_vocab)

    gensim_seconds = median_seconds(run_gensim, args.repeats, warmup=0)
    gensim_accuracy, sections = theirs["result"]
    gensim_scored = len(sections[-1]["correct"]) + len(sections[-1]["incorrect"])

    result = {
        "ours_accuracy": round(report.total, 6),
        "gensim_accuracy": round(gensim_accuracy, 6),
        "ours_semantic": round(report.semantic, 6),
        "ours_syntactic": round(report.syntactic, 6),
        "ours_seconds": round(ours_seconds, 3),
        "gensim_seconds": round(gensim_seconds, 3),
        "speedup": round(gensim_seconds / ours_seconds, 1),
        "questions_scored": report.scored,
        "gensim_questions_scored": gensim_scored,
        "identical_accuracy": report.total == gensim_accuracy,
        "restrict_vocab": args.restrict_vocab,
        "device": str(words.device),
        "threads": torch.get_num_threads(),
    }
    print(
        table(
            [
                ("embedwidgets", f"{report.total:.2%}", str(report.scored), f"{ours_seconds:.2f}"),
                ("gensim", f"{gensim_accuracy:.2%}", str(gensim_scored), f"{gensim_seconds:.2f}"),
            ],
            ("", "accuracy", "scored", "seconds"),
        )
    )
    print(
        f"semantic {report.semantic:.2%}, syntactic {report.syntactic:.2%}; "
        f"speedup {result['speedup']}× (goal ≥ 30; each the median of {args.repeats})"
    )
    finish(result, args.json)


if __name__ == "__main__":
    main()
