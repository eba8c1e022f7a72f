"""``python -m embedwidgets encode|index|project ...``: the corpus pipeline from a shell, for cluster jobs.

python -m embedwidgets encode texts/ --text-column text --id-column id --out corpus.lance --ray auto
python -m embedwidgets index corpus.lance
python -m embedwidgets project corpus.lance
"""

from __future__ import annotations

import argparse
import sys


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m embedwidgets", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    encode = commands.add_parser("encode", help="encode a Parquet or Lance corpus into a Lance dataset of vectors")
    encode.add_argument("source", help="a Parquet file, a folder or glob of them, or a Lance dataset")
    encode.add_argument("--text-column", default="text")
    encode.add_argument("--id-column", default=None, help="unique ids (required with --ray); default: row numbers")
    encode.add_argument("--out", default="corpus.lance", help="the Lance dataset to write (default corpus.lance)")
    encode.add_argument("--encoder", default="minilm", help="'minilm' or a sentence-transformers model folder")
    encode.add_argument("--ray", metavar="auto|ADDRESS", default=None, help="run on a Ray cluster (host:port or auto)")
    encode.add_argument("--workers", type=int, default=None, help="encoding actors (default: sized to the cluster)")
    encode.add_argument("--cpus-per-worker", type=float, default=None)
    encode.add_argument("--gpus-per-worker", type=float, default=None)
    encode.add_argument("--batch-size", type=int, default=None)
    encode.add_argument("--commit-every", type=int, default=None, help="rows per Lance commit (local engine)")
    encode.add_argument("--no-resume", action="store_true", help="fail if the output exists instead of resuming it")
    encode.add_argument("--skip-empty", action="store_true", help="leave out null or empty texts (counted)")
    index = commands.add_parser("index", help="build the IVF-PQ vector index of an encoded corpus")
    index.add_argument("uri")
    index.add_argument("--ray", metavar="auto|ADDRESS", default=None, help="build it with lance-ray on a cluster")
    index.add_argument("--num-partitions", type=int, default=None)
    index.add_argument("--num-sub-vectors", type=int, default=None)
    project = commands.add_parser("project", help="2-D map coordinates of an encoded corpus (landmark UMAP)")
    project.add_argument("uri")
    project.add_argument("--ray", metavar="auto|ADDRESS", default=None, help="place rows as Ray tasks")
    project.add_argument("--landmarks", type=int, default=None)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from . import scale
    from .engine.errors import EmbedWidgetsError

    engine = "ray" if args.ray else "local"
    address = None if args.ray in (None, "local") else args.ray
    try:
        if args.command == "encode":
            from .scale.corpus import COMMIT_EVERY

            report = scale.encode_corpus(
                args.source,
                text_column=args.text_column,
                id_column=args.id_column,
                encoder=args.encoder,
                output=args.out,
                engine=engine,
                ray_address=address,
                batch_size=args.batch_size,
                num_gpus_per_worker=args.gpus_per_worker,
                workers=args.workers,
                cpus_per_worker=args.cpus_per_worker,
                resume=not args.no_resume,
                skip_empty=args.skip_empty,
                commit_every=args.commit_every or COMMIT_EVERY,
            )
            print(report)
        elif args.command == "index":
            print(
                scale.build_corpus_index(
                    args.uri,
                    engine=engine,
                    ray_address=address,
                    num_partitions=args.num_partitions,
                    num_sub_vectors=args.num_sub_vectors,
                )
            )
        else:
            print(scale.project_corpus(args.uri, engine=engine, ray_address=address, landmarks=args.landmarks))
    except (EmbedWidgetsError, FileNotFoundError, FileExistsError, ImportError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
