"""The engine: embedding sets, exact search, analogies and encoders. Imports no UI code."""

from .analogy import AnalogyReport, SimilarityReport
from .device import pick_device
from .embeddings import EmbeddingSet
from .encoders import (
    AsymmetricEncoder,
    Encoder,
    MultilingualE5,
    SentenceEncoder,
    WordAverage,
    encode_queries,
)
from .errors import DuplicateLabelError, EmbedWidgetsError, UnknownTokenError

__all__ = [
    "AnalogyReport",
    "AsymmetricEncoder",
    "DuplicateLabelError",
    "EmbedWidgetsError",
    "EmbeddingSet",
    "Encoder",
    "MultilingualE5",
    "SentenceEncoder",
    "SimilarityReport",
    "UnknownTokenError",
    "WordAverage",
    "encode_queries",
    "pick_device",
]
