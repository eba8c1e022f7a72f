"""The engine: embedding sets, exact search, analogies and encoders. Imports no UI code."""

from .analogy import AnalogyReport, SimilarityReport
from .device import pick_device
from .embeddings import EmbeddingSet
from .encoders import Encoder, SentenceEncoder, WordAverage
from .errors import DuplicateLabelError, EmbedWidgetsError, UnknownTokenError

__all__ = [
    "AnalogyReport",
    "DuplicateLabelError",
    "EmbedWidgetsError",
    "EmbeddingSet",
    "Encoder",
    "SentenceEncoder",
    "SimilarityReport",
    "UnknownTokenError",
    "WordAverage",
    "pick_device",
]
