"""``python -m embedwidgets build|encode|index|project ...``: the corpus pipeline from a shell, for cluster jobs.

python -m embedwidgets build texts/ --text-column text --id-column id --out corpus.lance --ray auto
    (the three steps below in one command: the vectors, then their index, then the map)
python -m embedwidgets encode texts/ --text-column text --id-column id --out corpus.lance --ray auto
python -m embedwidgets index corpus.lance
python -m embedwidgets project corpus.lance
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m embedwidgets", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="encode a corpus, then index and map it: all that a notebook opens")
    encode = commands.add_parser("encode", help="encode a Parquet or Lance corpus into a Lance dataset of vectors")
    index = commands.add_parser("index", help="build the IVF-PQ vector index of an encoded corpus")
    project = commands.add_parser("project", help="2-D map coordinates of an encoded corpus (landmark UMAP)")
    for command in (build, encode):
        _encode_options(command)
    for command in (index, project):
        command.add_argument("uri")
        command.add_argument("--ray", metavar="auto|ADDRESS", default=None, help="run it on a Ray cluster")
    for command in (build, index):
        command.add_argument("--num-partitions", type=int, default=None)
        command.add_argument("--num-sub-vectors", type=int, default=None)
    for command in (build, project):
        command.add_argument("--landmarks", type=int, default=None)
    return parser


def _encode_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("source", help="a Parquet file, a folder or glob of them, or a Lance dataset")
    command.add_argument("--text-column", default="text")
    command.add_argument("--id-column", default=None, help="unique ids (required with --ray); default: row numbers")
    command.add_argument("--out", default="corpus.lance", help="the Lance dataset to write (default corpus.lance)")
    command.add_argument("--encoder", default="minilm", help="'minilm' or a sentence-transformers model folder")
    command.add_argument("--ray", metavar="auto|ADDRESS", default=None, help="run on a Ray cluster (host:port or auto)")
    command.add_argument("--workers", type=int, default=None, help="encoding actors (default: sized to the cluster)")
    command.add_argument("--cpus-per-worker", type=float, default=None)
    command.add_argument("--gpus-per-worker", type=float, default=None)
    command.add_argument("--batch-size", type=int, default=None)
    command.add_argument(
        "--commit-every",
        type=int,
        default=None,
        help="rows per Lance commit, both engines (default 8192): a stopped job keeps every commit",
    )
    command.add_argument("--no-resume", action="store_true", help="fail if the output exists instead of resuming it")
    command.add_argument("--skip-empty", action="store_true", help="leave out null or empty texts (counted)")


def _encode(args: argparse.Namespace, engine: str, address: str | None) -> Any:
    from . import scale
    from .scale.corpus import COMMIT_EVERY

    return scale.encode_corpus(
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


def _index(args: argparse.Namespace, uri: str, engine: str, address: str | None) -> Any:
    from . import scale

    return scale.build_corpus_index(
        uri,
        engine=engine,
        ray_address=address,
        num_partitions=args.num_partitions,
        num_sub_vectors=args.num_sub_vectors,
    )


def _project(args: argparse.Namespace, uri: str, engine: str, address: str | None) -> Any:
    from . import scale

    return scale.project_corpus(uri, engine=engine, ray_address=address, landmarks=args.landmarks)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from .engine.errors import EmbedWidgetsError

    engine = "ray" if args.ray else "local"
    address = None if args.ray in (None, "local") else args.ray
    try:
        if args.command in ("build", "encode"):
            print(_encode(args, engine, address), flush=True)
        if args.command in ("build", "index"):
            print("index:", _index(args, getattr(args, "uri", None) or args.out, engine, address), flush=True)
        if args.command in ("build", "project"):
            print("map:", _project(args, getattr(args, "uri", None) or args.out, engine, address), flush=True)
        if args.command == "build":
            print(
                f"open it in a notebook: docs = ew.open_corpus({args.out!r}, label_column={args.text_column!r}); "
                f"ew.NeighborBrowser(docs); ew.ClusterView(docs, projection=ew.corpus_map({args.out!r}))"
            )
    except (EmbedWidgetsError, FileNotFoundError, FileExistsError, ImportError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
