"""Exact top-k search over a matrix, in chunks, never holding an n×n (or n×queries) score matrix.

How it stays exact and fast: each chunk of rows is scored against a batch of queries with one
matrix product into a reused buffer, and only the maximum of every *group* of 64 consecutive rows
is kept.
The true top k rows lie in at most k groups, and those groups are among the k groups with the
highest maxima, so only k×64 rows per query are rescored at the end. Selecting from the group
maxima replaces a costly per-chunk ``topk`` with a cheap ``amax``.

On CPUs with bfloat16 dot-product instructions, big cosine batches are *screened* in bfloat16
(about 5× faster than float32 here) and then rescored exactly in float32. A bfloat16 score of unit
vectors is within ``BF16_ERROR`` of the true score, so every group whose screened maximum is within
twice that of the k-th best screened group maximum is rescored: the answer is the float32 answer.

Memory bound: one score buffer of at most ``BLOCK_ELEMENTS`` floats (32 MB), the group maxima
(rows/64 per query in the batch), the rescored candidates (at most ``RESCORE_ELEMENTS``), and for
screening a bfloat16 copy of the unit vectors (half their float32 size).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import torch

GROUP = 64
BLOCK_ELEMENTS = 1 << 23
RESCORE_ELEMENTS = 1 << 23
MIN_CHUNK = 8192
# |bf16(q)·bf16(v) - q·v| for unit q, v: input rounding (2u + u², u = 2^-8), the bf16 rounding of a
# result below 2 (2^-8), and float32 accumulation over a few hundred terms, with room to spare.
BF16_ERROR = 0.0125
SCREEN_MIN_WORK = 1 << 27  # rows × queries below which the float32 scan is as fast

METRICS = ("cosine", "dot", "euclidean")


@functools.lru_cache(maxsize=None)
def bf16_is_fast(device_type: str = "cpu") -> bool:
    """Whether this CPU has bfloat16 dot-product instructions (AVX512-BF16 or AMX), which make
    bfloat16 matrix products several times faster than float32."""
    if device_type != "cpu":
        return False
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def should_screen(device: torch.device, n_rows: int, n_queries: int) -> bool:
    """Screen in bfloat16 when the CPU is fast at it and the scan is big enough to pay for it."""
    return bf16_is_fast(device.type) and n_rows * n_queries >= SCREEN_MIN_WORK


class Scorer:
    """Scores rows of a matrix against a batch of queries. Higher is better."""

    n_rows: int
    n_queries: int

    def pick(self, which: slice | torch.Tensor) -> "Scorer":
        """The same scorer for some of its queries (a slice or an index tensor)."""
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
    With ``screen`` (a bfloat16 copy of a unit-row matrix, and unit queries) the chunks are
    scored in bfloat16 and only the rescoring uses ``matrix``.
    """

    matrix: torch.Tensor          # (n, d)
    queries: torch.Tensor         # (b, d)
    half_sq_norms: torch.Tensor | None = None  # (n,), only for euclidean
    screen: torch.Tensor | None = None         # (n, d) bfloat16, only for unit rows and queries

    def __post_init__(self) -> None:
        self.n_rows = self.matrix.shape[0]
        self.n_queries = self.queries.shape[0]
        block_matrix = self.matrix if self.screen is None else self.screen
        self.dtype = block_matrix.dtype
        self.margin = 0.0 if self.screen is None else 2 * BF16_ERROR
        self._queries_t = self.queries.to(block_matrix.dtype).T.contiguous()

    def pick(self, which: slice | torch.Tensor) -> "LinearScorer":
        return LinearScorer(self.matrix, self.queries[which], self.half_sq_norms, self.screen)

    def block(self, start: int, stop: int, out: torch.Tensor) -> None:
        target = out[: stop - start]
        source = self.matrix if self.screen is None else self.screen
        torch.mm(source[start:stop], self._queries_t, out=target)
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
        s, i = _top_k_batch(scorer.pick(slice(q0, q1)), k, chunk, sub_exclude, device)
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
        group_max.append(buffer.view(chunk // GROUP, GROUP, b).amax(1))
    maxima = torch.cat(group_max).T.float().contiguous()  # (b, groups); group g holds rows 64g ... 64g + 63
    k_groups = min(k, maxima.shape[1])
    margin = getattr(scorer, "margin", 0.0)
    if not margin:
        return _rescore_groups(scorer, maxima.topk(k_groups, dim=1).indices, k, exclude)
    # Screened scores are approximate: rescore every group that might hold one of the true top k.
    threshold = maxima.topk(k_groups, dim=1).values[:, -1:] - margin
    needed = (maxima >= threshold).float().sum(1)  # float: summing bools is several times slower
    widths = torch.clamp(2 ** torch.ceil(torch.log2(needed)), min=k_groups).long()
    scores = torch.empty(b, k, device=device)
    indices = torch.empty(b, k, dtype=torch.long, device=device)
    for width in widths.unique().tolist():
        which = (widths == width).nonzero()[:, 0]
        groups = maxima[which].topk(min(width, maxima.shape[1]), dim=1).indices
        sub_exclude = None if exclude is None else exclude[which]
        scores[which], indices[which] = _rescore_groups(scorer.pick(which), groups, k, sub_exclude)
    return scores, indices


def _rescore_groups(scorer: Scorer, groups: torch.Tensor, k: int,
                    exclude: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
    """Exact top k among the rows of the given groups, (b, width) group ids per query."""
    rows = groups[:, :, None] * GROUP + torch.arange(GROUP, device=groups.device)
    return _rescore(scorer, rows.reshape(groups.shape[0], -1), k, exclude)


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
        exact = scorer.pick(slice(q0, q1)).rows(candidate)
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
