"""The distributed path: encode, index and project a corpus too big for one kernel, on one machine or a Ray cluster.

Imported only when used. It calls the engine (the same encoder, index and landmark code); the engine never
knows about Ray. Ray, lance-ray and pylance come with ``pip install embedwidgets[scale]``.

>>> import embedwidgets as ew                                                          # doctest: +SKIP
>>> report = ew.encode_corpus("texts.parquet", id_column="id", output="corpus.lance")  # doctest: +SKIP
>>> ew.build_corpus_index("corpus.lance")                                              # doctest: +SKIP
>>> ew.project_corpus("corpus.lance")                                                  # doctest: +SKIP
>>> docs = ew.open_corpus("corpus.lance")                                              # doctest: +SKIP
"""

from .corpus import (
    CorpusError,
    EmptyTextError,
    EncodeReport,
    EncodingMismatchError,
    encode_corpus,
    read_manifest,
)
from .index import build_corpus_index, corpus_map, open_corpus
from .project import project_corpus

__all__ = [
    "CorpusError",
    "EmptyTextError",
    "EncodeReport",
    "EncodingMismatchError",
    "build_corpus_index",
    "corpus_map",
    "encode_corpus",
    "open_corpus",
    "project_corpus",
    "read_manifest",
]
