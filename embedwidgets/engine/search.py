"""Exact top-k search over a matrix, in chunks, never holding an n×n (or n×queries) score matrix.

How it stays exact and fast: each chunk of rows is scored against a batch of queries with one
matrix product into a reused buffer, and only the maximum of every *group* of 64 rows is kept.
The true top k rows lie in at most k groups, and those groups are among the k groups with the
highest maxima, so only k×64 rows per query are rescored at the end. Selecting from the group
maxima replaces a costly per-chunk ``topk`` with a cheap ``amax``.

Memory bound: one score buffer of at most ``BLOCK_ELEMENTS`` floats (32 MB), the group maxima
(rows/64 per query in the batch), and the rescored candidates (at most ``RESCORE_ELEMENTS``).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

GROUP = 64
BLOCK_ELEMENTS = 1 << 23
RESCORE_ELEMENTS = 1 << 23
MIN_CHUNK = 8192

METRICS = ("cosine", "dot", "euclidean")


class Scorer:
    """Scores rows of a matrix against a batch of queries. Higher is better."""

    n_rows: int
    n_queries: int

    def batch(self, start: int, stop: int) -> "Scorer":
        """The same scorer for queries ``start:stop`` only."""
        raise NotImplementedError

    def block(self, start: int, stop: int, out: torch.Tensor) -> None:
        """Write the scores of rows ``start:stop`` into ``out[: stop - start]`` (shape rows × queries)."""
        raise NotImplementedError

    def rows(self, rows: torch.Tensor) -> torch.Tensor:
        """Exact scores of the given rows, one row list per query: (queries, r) → (queries, r)."""
        raise NotImplementedError


@dataclass
class LinearScorer(Scorer):
    """``matrix @ query`` (cosine on unit vectors, or dot), or minus the Euclidean distance.

    For Euclidean search the chunks rank by ``q·v - |v|²/2``, which orders rows exactly as
    the distance does, and the candidates are then rescored by the distance itself.
    """

    matrix: torch.Tensor          # (n, d)
    queries: torch.Tensor         # (b, d)
    half_sq_norms: torch.Tensor | None = None  # (n,), only for euclidean

    def __post_init__(self) -> None:
        self.n_rows = self.matrix.shape[0]
        self.n_queries = self.queries.shape[0]
        self.dtype = self.matrix.dtype
        self._queries_t = self.queries.T.contiguous()

    def batch(self, start: int, stop: int) -> "LinearScorer":
        return LinearScorer(self.matrix, self.queries[start:stop], self.half_sq_norms)

    def block(self, start: int, stop: int, out: torch.Tensor) -> None:
        target = out[: stop - start]
        torch.mm(self.matrix[start:stop], self._queries_t, out=target)
        if self.half_sq_norms is not None:
            target.sub_(self.half_sq_norms[start:stop, None])

    def rows(self, rows: torch.Tensor) -> torch.Tensor:
        gathered = self.matrix[rows]  # (b, r, d)
        if self.half_sq_norms is not None:
            return -(gathered - self.queries[:, None, :]).norm(dim=-1)
        return torch.bmm(gathered, self.queries[:, :, None])[:, :, 0]


def top_k(scorer: Scorer, k: int, *, exclude: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """The k best rows per query: ``(scores, indices)``, each (queries, k), best first.

    ``exclude`` is a (queries, e) tensor of row indices to leave out, padded with -1.
    Where fewer than k rows remain, the tail has score ``-inf`` and should be dropped.
    """
    n, b = scorer.n_rows, scorer.n_queries
    if k <= 0:
        raise ValueError(f"k must be a positive integer, got {k}.")
    k = min(k, n)
    device = _device_of(scorer)
    chunk = _chunk_rows(n, b)
    per_batch = max(1, BLOCK_ELEMENTS // chunk)
    scores, indices = [], []
    for q0 in range(0, b, per_batch):
        q1 = min(b, q0 + per_batch)
        sub_exclude = None if exclude is None else exclude[q0:q1]
        s, i = _top_k_batch(scorer.batch(q0, q1), k, chunk, sub_exclude, device)
        scores.append(s)
        indices.append(i)
    return torch.cat(scores), torch.cat(indices)


def _device_of(scorer: Scorer) -> torch.device:
    for value in vars(scorer).values():
        if isinstance(value, torch.Tensor):
            return value.device
    return torch.device("cpu")


def _chunk_rows(n: int, b: int) -> int:
    """Rows per chunk: a multiple of GROUP, big enough to amortise each call, small enough for cache."""
    wanted = max(MIN_CHUNK, BLOCK_ELEMENTS // max(b, 1))
    wanted = min(wanted, -(-n // GROUP) * GROUP)
    return -(-wanted // GROUP) * GROUP


def _top_k_batch(scorer: Scorer, k: int, chunk: int, exclude: torch.Tensor | None,
                 device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    n, b = scorer.n_rows, scorer.n_queries
    per_group = chunk // GROUP  # group j of a chunk holds rows j, j + per_group, j + 2·per_group, ...
    buffer = torch.empty(chunk, b, device=device, dtype=getattr(scorer, "dtype", torch.float32))
    query_ids = torch.arange(b, device=device)
    group_max = []
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        scorer.block(start, stop, buffer)
        if stop - start < chunk:
            buffer[stop - start:] = float("-inf")
        if exclude is not None:
            _mask_excluded(buffer, exclude, start, stop, query_ids)
        group_max.append(buffer.view(GROUP, per_group, b).amax(0))
    maxima = torch.cat(group_max)  # (groups, b)
    best_groups = maxima.topk(min(k, maxima.shape[0]), dim=0).indices.T  # (b, k)
    offsets = torch.arange(GROUP, device=device) * per_group
    rows = ((best_groups // per_group) * chunk + best_groups % per_group)[:, :, None] + offsets
    rows = rows.reshape(b, -1)
    return _rescore(scorer, rows, k, exclude)


def _mask_excluded(buffer: torch.Tensor, exclude: torch.Tensor, start: int, stop: int,
                   query_ids: torch.Tensor) -> None:
    inside = (exclude >= start) & (exclude < stop)
    if inside.any():
        which = query_ids[:, None].expand_as(exclude)[inside]
        buffer[exclude[inside] - start, which] = float("-inf")


def _rescore(scorer: Scorer, rows: torch.Tensor, k: int,
             exclude: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
    n, b = scorer.n_rows, scorer.n_queries
    width = rows.shape[1]
    per_step = max(1, RESCORE_ELEMENTS // max(width * _dim_of(scorer), 1))
    scores, indices = [], []
    for q0 in range(0, b, per_step):
        q1 = min(b, q0 + per_step)
        candidate = rows[q0:q1]
        invalid = candidate >= n
        candidate = candidate.clamp(max=n - 1)
        exact = scorer.batch(q0, q1).rows(candidate)
        if exclude is not None:
            invalid |= (candidate[:, :, None] == exclude[q0:q1, None, :]).any(-1)
        exact = exact.masked_fill(invalid, float("-inf"))
        best, where = exact.topk(k, dim=1)
        scores.append(best)
        indices.append(candidate.gather(1, where))
    return torch.cat(scores), torch.cat(indices)


def _dim_of(scorer: Scorer) -> int:
    matrix = getattr(scorer, "matrix", None)
    return 1 if matrix is None else matrix.shape[1]
