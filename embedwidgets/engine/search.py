"""Exact top-k search over a matrix, in chunks, never holding an n×n (or n×queries) score matrix.

How it stays exact and fast: each chunk of rows is scored against a batch of queries with one
matrix product into a reused buffer, and only the maximum of every *group* of consecutive rows
(64 rows for short vectors, fewer for long ones) is kept. The true top k rows lie in at most k
groups, and those are among the k groups with the highest maxima, so only those groups' rows are
rescored at the end. A cheap ``amax`` per chunk replaces a costly ``topk``.

On CPUs with bfloat16 dot-product instructions, big cosine batches are *screened* in bfloat16
(about 5× faster than float32 here) and then rescored exactly in float32. A screened score of unit
vectors differs from the true one by at most ‖q - q̃‖ + ‖q̃‖·u + d·2⁻²⁴ (the rounding of the query and of
the rows, u = 2⁻⁸, and the float32 sum), plus the rounding of the score itself (u·|score|); every group
whose screened maximum could hold one of the true top k under that bound is rescored, so the answer is
the float32 answer (``_needed_groups``).

The same screen serves reduced-precision storage (float16 or bfloat16 working copies): the scan runs
over the reduced copy and the candidates are rescored in float32 from the original rows, normalised
as they are gathered (``LinearScorer(normalise=True)``), so the answer stays exact. Without a float32
source to rescore from, the scores are the reduced copy's and the answer is approximate; the
EmbeddingSet says so on its results.

Memory bound: one score buffer of at most ``BLOCK_ELEMENTS`` values (8 MB), at most
``MAXIMA_ELEMENTS`` group maxima (64 MB), the rescored candidates (at most ``RESCORE_ELEMENTS``
values), and for screening a bfloat16 copy of the unit vectors (half their float32 size).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import torch

from ._checks import check_k, normalise_rows

# A score block small enough to stay in cache while its group maxima are taken: 2M scores cost 12 % less CPU
# than 8M on the analogy benchmark here (measured), and the same on 384-d batches.
BLOCK_ELEMENTS = 1 << 21
MAXIMA_ELEMENTS = 1 << 24
RESCORE_ELEMENTS = 1 << 23
MIN_CHUNK = 2048
MAPPED_GATHER_ROWS = 4096  # rows gathered at a time from a memory-mapped source (see LinearScorer.release)
SCREEN_MIN_WORK = 1 << 24  # rows × dims × queries below which the float32 scan is as fast

METRICS = ("cosine", "dot", "euclidean")


def group_rows(dim: int) -> int:
    """Rows per group: rescoring a group costs its rows × dim, so long vectors get smaller groups; but each
    group also costs a maximum kept per query, and at 384 dims 16 rows beat 8 (1M rows × 1,000 queries:
    3.1 s against 3.6 s here, measured)."""
    return 64 if dim <= 96 else 16


@functools.cache
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


def should_screen(device: torch.device, n_rows: int, dim: int, n_queries: int) -> bool:
    """Screen in bfloat16 when the CPU is fast at it and the scan is big enough to pay for it:
    a batch computes about 5× faster, and one query reads half the bytes."""
    return bf16_is_fast(device.type) and n_rows * dim * n_queries >= SCREEN_MIN_WORK


# From this many queries and group rows, group maxima start with one halving (see _group_max); groups of 16
# rows gain nothing from it (measured).
HALVE_FROM_QUERIES, HALVE_FROM_ROWS = 128, 32
WIDEN_QUERIES = 8  # from this many queries, float16 rows are widened to float32 per chunk on the CPU


class Scorer:
    """Scores rows of a matrix against a batch of queries. Higher is better."""

    matrix: torch.Tensor  # (n, d): the rows being searched
    n_queries: int
    dtype: torch.dtype = torch.float32  # of the chunk scores

    @property
    def n_rows(self) -> int:
        return self.matrix.shape[0]

    @property
    def device(self) -> torch.device:
        """Where the chunk scores are computed."""
        return self.matrix.device

    def pick(self, which: slice | torch.Tensor) -> Scorer:
        """The same scorer for some of its queries (a slice or an index tensor)."""
        raise NotImplementedError

    def block(self, start: int, stop: int, out: torch.Tensor) -> None:
        """Write the scores of rows ``start:stop`` into ``out[: stop - start]`` (shape rows × queries)."""
        raise NotImplementedError

    def score_groups(self, groups: torch.Tensor, size: int) -> torch.Tensor:
        """Exact scores of the rows of the given groups of ``size`` rows: (queries, w) → (queries, w·size)."""
        raise NotImplementedError

    def screen_error(self) -> torch.Tensor | None:
        """Per query (queries × 1), how far a chunk score may be from the exact one before the chunk score's
        own rounding to ``dtype``; None when chunk scores are exact."""
        return None


def gather_groups(matrix: torch.Tensor, groups: torch.Tensor, size: int) -> torch.Tensor:
    """The rows of groups of ``size`` consecutive rows: (b, w) group ids → (b, w·size, d).

    Rows past the end come back as whatever the storage holds there (or row n-1); callers mask them.
    When the storage is padded to whole groups (EmbeddingSet pads it), each group is one block copy.
    """
    n, d = matrix.shape
    whole = -(-n // size)
    padded = matrix.storage_offset() + whole * size * d <= matrix.untyped_storage().nbytes() // matrix.element_size()
    if matrix.is_contiguous() and padded:
        blocks = torch.as_strided(matrix, (whole, size, d), (size * d, d, 1))
        return blocks[groups].reshape(groups.shape[0], -1, d)
    rows = (groups[:, :, None] * size + torch.arange(size, device=groups.device)).clamp(max=n - 1)
    return matrix[rows.reshape(groups.shape[0], -1)]


@dataclass
class LinearScorer(Scorer):
    """``matrix @ query`` (cosine on unit vectors, or dot), or minus the Euclidean distance.

    For Euclidean search the chunks rank by ``q·v - |v|²/2``, which orders rows exactly as
    the distance does, and the candidates are then rescored by the distance itself.
    With ``screen`` (a bfloat16 or float16 copy of a unit-row matrix, and unit queries) the chunks are
    scored in that precision and only the rescoring uses ``matrix``. With ``normalise`` the rescored
    rows of ``matrix`` are divided by their length first, so ``matrix`` may be the original rows
    (on the CPU, memory-mapped) rather than a normalised copy. ``release``, when given, is called after
    each gather from ``matrix`` (to hand a memory-mapped file's pages back, so rescoring many
    candidates never leaves the whole file resident).
    """

    matrix: torch.Tensor  # (n, d)
    queries: torch.Tensor  # (b, d)
    half_sq_norms: torch.Tensor | None = None  # (n,), only for euclidean
    screen: torch.Tensor | None = None  # (n, d) bfloat16 or float16, only for unit rows and queries
    normalise: bool = False
    release: Callable[[], None] | None = None
    _queries_t: torch.Tensor | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.n_queries = self.queries.shape[0]
        self.dtype = self.matrix.dtype if self.screen is None else self.screen.dtype

    @property
    def device(self) -> torch.device:
        return self.queries.device

    def pick(self, which: slice | torch.Tensor) -> LinearScorer:
        return LinearScorer(
            self.matrix, self.queries[which], self.half_sq_norms, self.screen, self.normalise, self.release
        )

    def _widen(self, source: torch.Tensor) -> bool:
        # CPUs without float16 matrix units multiply float16 several times slower than they widen it to
        # float32 and multiply that (measured: 5× for 100 queries); one query is read-bound, so it stays.
        return source.dtype == torch.float16 and source.device.type == "cpu" and self.n_queries >= WIDEN_QUERIES

    def screen_error(self) -> torch.Tensor | None:
        """|q̃·ṽ - q·v| ≤ ‖q - q̃‖·‖v‖ + ‖q̃‖·‖v - ṽ‖ + the float32 sum's error, for unit q and v, where ṽ is the
        screen's row (‖v - ṽ‖ ≤ u·‖v‖ for its dtype's unit roundoff u) and q̃ the query as multiplied."""
        if self.screen is None:
            return None
        queries = self.queries.float()
        rounded = queries.to(torch.float32 if self._widen(self.screen) else self.screen.dtype).float()
        row_error = _unit_roundoff(self.screen.dtype) * (1 + 1e-6)  # rows are unit to float32 precision
        query_error = (queries - rounded).norm(dim=1, keepdim=True)
        length = rounded.norm(dim=1, keepdim=True)
        sum_error = self.matrix.shape[1] * 2.0**-24 * length * (1 + row_error)
        # 1e-6: the float32 normalisation of rows and queries, which the exact rescoring shares only in part.
        return query_error * (1 + 1e-6) + length * row_error + sum_error + 1e-6

    def block(self, start: int, stop: int, out: torch.Tensor) -> None:
        source = self.matrix if self.screen is None else self.screen
        widen = self._widen(source)
        if self._queries_t is None:
            self._queries_t = self.queries.to(torch.float32 if widen else source.dtype).T.contiguous()
        target = out[: stop - start]
        if widen:
            target.copy_(torch.mm(source[start:stop].float(), self._queries_t))
        else:
            torch.mm(source[start:stop], self._queries_t, out=target)
        if self.half_sq_norms is not None:
            target.sub_(self.half_sq_norms[start:stop, None])

    def score_groups(self, groups: torch.Tensor, size: int) -> torch.Tensor:
        if self.release is not None:
            # Each row read from a mapped file maps the pages around it too (the kernel's fault-around),
            # so a mapped source is gathered a few rows at a time and its pages released after each.
            step = max(1, MAPPED_GATHER_ROWS // (size * max(1, groups.shape[0])))
            if groups.shape[1] > step:
                parts = [self._score_groups(groups[:, c : c + step], size) for c in range(0, groups.shape[1], step)]
                return torch.cat(parts, 1)
        return self._score_groups(groups, size)

    def _score_groups(self, groups: torch.Tensor, size: int) -> torch.Tensor:
        if self.matrix.device != groups.device:  # the original rows stay on the CPU
            gathered = gather_groups(self.matrix, groups.cpu(), size).to(groups.device)
        else:
            gathered = gather_groups(self.matrix, groups, size)  # (b, r, d)
        if self.release is not None:
            self.release()
        if self.normalise:
            gathered = normalise_rows(gathered)
        if self.half_sq_norms is not None:
            return -(gathered - self.queries[:, None, :]).norm(dim=-1)
        return batched_dot(gathered, self.queries.to(gathered.dtype))


def batched_dot(rows: torch.Tensor, queries: torch.Tensor) -> torch.Tensor:
    """(b, r, d) rows · (b, d) queries → (b, r)."""
    return torch.bmm(rows, queries[:, :, None])[:, :, 0]


def top_k(scorer: Scorer, k: int, *, exclude: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """The k best rows per query: ``(scores, indices)``, each (queries, k), best first.

    ``exclude`` is a (queries, e) tensor of row indices to leave out, padded with -1.
    Where fewer than k rows remain, the tail has score ``-inf`` and should be dropped.
    """
    n, b = scorer.n_rows, scorer.n_queries
    k = min(check_k(k), n)
    group = group_rows(scorer.matrix.shape[1])
    # Queries per batch are capped by the group maxima they keep; the chunk is sized for that batch.
    per_batch = max(1, min(b, MAXIMA_ELEMENTS * group // n))
    chunk = _chunk_rows(n, per_batch, group)
    per_batch = max(1, min(per_batch, BLOCK_ELEMENTS // chunk))
    scores, indices = [], []
    for q0 in range(0, b, per_batch):
        q1 = min(b, q0 + per_batch)
        sub_exclude = None if exclude is None else exclude[q0:q1]
        s, i = _top_k_batch(scorer.pick(slice(q0, q1)), k, chunk, group, sub_exclude)
        scores.append(s)
        indices.append(i)
    return torch.cat(scores), torch.cat(indices)


def _chunk_rows(n: int, b: int, group: int) -> int:
    """Rows per chunk: a multiple of the group, big enough to amortise each call, small enough for cache."""
    wanted = max(MIN_CHUNK, BLOCK_ELEMENTS // max(b, 1))
    wanted = min(wanted, -(-n // group) * group)
    return -(-wanted // group) * group


def _top_k_batch(
    scorer: Scorer, k: int, chunk: int, group: int, exclude: torch.Tensor | None
) -> tuple[torch.Tensor, torch.Tensor]:
    n, b = scorer.n_rows, scorer.n_queries
    device = scorer.device
    buffer = torch.empty(chunk, b, device=device, dtype=scorer.dtype)
    query_ids = torch.arange(b, device=device)
    group_max = []
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        scorer.block(start, stop, buffer)
        if stop - start < chunk:
            buffer[stop - start :] = float("-inf")
        if exclude is not None:
            _mask_excluded(buffer, exclude, start, stop, query_ids)
        group_max.append(_group_max(buffer.view(chunk // group, group, b)))
    maxima = torch.cat(group_max).T.contiguous()  # (b, groups); group g holds rows g·group ...
    k_groups = min(k, maxima.shape[1])
    error = scorer.screen_error()
    if error is None:
        return _rescore_groups(scorer, maxima.topk(k_groups, dim=1).indices, group, k, exclude)
    # Screened scores are approximate: rescore every group that might hold one of the true top k.
    needed = _needed_groups(maxima, k_groups, error)
    widths = torch.clamp(2 ** torch.ceil(torch.log2(needed.float())), min=k_groups).long()
    scores = torch.empty(b, k, device=device)
    indices = torch.empty(b, k, dtype=torch.long, device=device)
    for width in widths.unique().tolist():
        which = (widths == width).nonzero()[:, 0]
        groups = maxima[which].topk(min(width, maxima.shape[1]), dim=1).indices
        sub_exclude = None if exclude is None else exclude[which]
        scores[which], indices[which] = _rescore_groups(scorer.pick(which), groups, group, k, sub_exclude)
    return scores, indices


def _unit_roundoff(dtype: torch.dtype) -> float:
    return float(torch.finfo(dtype).eps) / 2


def _needed_groups(maxima: torch.Tensor, k_groups: int, error: torch.Tensor) -> torch.Tensor:
    """How many groups per query may hold one of the true top k, from screened group maxima (b, groups) and
    the per-query screen error ``a`` (``Scorer.screen_error``).

    A screened score s̃ is off by at most a + u·|s̃| (u: the maxima dtype's unit roundoff, for the score's own
    rounding). The k best group maxima come from k rows whose true scores are all at least kth - u·|kth| - a,
    so the true k-th best score is too. A row can only reach it if f(s̃) = s̃ + u·|s̃| ≥ kth - u·|kth| - 2a,
    and f is increasing, so a group is needed when its maximum is at least f⁻¹ of that (in float32)."""
    u = _unit_roundoff(maxima.dtype) / (1 - _unit_roundoff(maxima.dtype))
    kth = maxima.topk(k_groups, dim=1).values[:, -1:].float()
    floor = kth - u * kth.abs() - 2 * error.to(kth.device)
    threshold = torch.where(floor >= 0, floor / (1 + u), floor / (1 - u))
    # One float32 rounding of the threshold itself: step down one more of its units.
    threshold = threshold - threshold.abs() * 2.0**-23
    return (maxima >= threshold).sum(1, dtype=torch.int32)


def _group_max(groups: torch.Tensor) -> torch.Tensor:
    """(groups, rows, queries) → (groups, queries): each group's maximum. For wide batches of long groups the
    maximum of the two halves first: torch's reduction over the middle of a wide bfloat16 block takes up to 5×
    longer than one elementwise maximum and a reduction half as deep (measured at 1,024 queries × 64 rows)."""
    if groups.shape[2] < HALVE_FROM_QUERIES or groups.shape[1] < HALVE_FROM_ROWS or groups.shape[1] % 2:
        return groups.amax(1)
    half = groups.shape[1] // 2
    return torch.maximum(groups[:, :half], groups[:, half:]).amax(1)


def _mask_excluded(buffer: torch.Tensor, exclude: torch.Tensor, start: int, stop: int, query_ids: torch.Tensor) -> None:
    inside = (exclude >= start) & (exclude < stop)
    if inside.any():
        which = query_ids[:, None].expand_as(exclude)[inside]
        buffer[exclude[inside] - start, which] = float("-inf")


def _rescore_groups(
    scorer: Scorer, groups: torch.Tensor, group: int, k: int, exclude: torch.Tensor | None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Exact top k among the rows of the given groups ((b, width) group ids per query).

    At most ``RESCORE_ELEMENTS`` values are gathered at once: queries in steps, and when one query has
    more candidates than that (a wide screen margin on data without clear neighbours), its groups in
    slices, keeping a running top k.
    """
    n, b = scorer.n_rows, scorer.n_queries
    dim = scorer.matrix.shape[1]
    columns = max(1, min(groups.shape[1], RESCORE_ELEMENTS // (group * dim)))
    per_step = max(1, RESCORE_ELEMENTS // (columns * group * dim))
    offsets = torch.arange(group, device=groups.device)
    scores, indices = [], []
    for q0 in range(0, b, per_step):
        q1 = min(b, q0 + per_step)
        picked = scorer.pick(slice(q0, q1))
        best: torch.Tensor | None = None
        best_rows: torch.Tensor | None = None
        for c0 in range(0, groups.shape[1], columns):
            part = groups[q0:q1, c0 : c0 + columns]
            candidate = (part[:, :, None] * group + offsets).reshape(part.shape[0], -1)
            invalid = candidate >= n
            candidate = candidate.clamp(max=n - 1)
            exact = picked.score_groups(part, group).float()
            if exclude is not None:
                invalid |= (candidate[:, :, None] == exclude[q0:q1, None, :]).any(-1)
            exact = exact.masked_fill(invalid, float("-inf"))
            if best is not None and best_rows is not None:
                exact, candidate = torch.cat([best, exact], 1), torch.cat([best_rows, candidate], 1)
            best, where = exact.topk(min(k, exact.shape[1]), dim=1)
            best_rows = candidate.gather(1, where)
        assert best is not None and best_rows is not None
        scores.append(best)
        indices.append(best_rows)
    return torch.cat(scores), torch.cat(indices)
