"""Clusters: k-means in torch (k-means++ start), HDBSCAN from scikit-learn, and keyword labels by
class-based TF-IDF."""

from __future__ import annotations

import functools
import types
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import torch

if TYPE_CHECKING:
    from .embeddings import EmbeddingSet

CLUSTERINGS = ("kmeans", "hdbscan")
Progress = Callable[[float, str], None]
DISTANCE_ELEMENTS = 1 << 24  # rows × centres per distance block
SCORE_ELEMENTS = 1 << 19  # centres × rows per k-means scoring block: 2 MB of float32, kept in cache
# When more than this share of the rows must be scored, scoring them all in place beats gathering them.
DENSE_SHARE = 0.6
# Above this many rows, k-means++ draws its start from a seeded random sample of this size: seeding makes k
# passes over the rows, which at 10M rows costs more than the Lloyd steps that follow (scikit-learn seeds on
# every row; FAISS trains on a sample). Lloyd steps always run over every row.
SEED_SAMPLE = 1_000_000


def kmeans(
    data: torch.Tensor,
    k: int,
    *,
    seed: int = 0,
    max_iter: int = 100,
    tol: float = 1e-6,
    n_init: int = 1,
    progress: Progress | None = None,
) -> tuple[np.ndarray, torch.Tensor, float]:
    """Lloyd's k-means with k-means++ seeding, in chunks of rows. Returns (labels, centres, inertia).

    Each step is Lloyd's: every row to its nearest centre (float32 scores), then every centre to the mean of its
    rows (float64 sums, updated from the rows that changed centre). It stops when no row changes, when the
    inertia falls by less than ``tol`` (relative), or after ``max_iter`` steps.

    On the CPU, bounds on each row's distances skip the rows whose centre cannot change (Hamerly's method; see
    ``_Lloyd``): the labels are still exactly those of the float32 iteration.

    Memory beyond ``data``: per row one label and one norm (12 bytes), on the CPU 33 bytes more for the bounds
    and the list of rows to score, plus one block of at most ``DISTANCE_ELEMENTS`` distances while seeding; rows
    stay in their own dtype (float16 or a memory-mapped tensor works), so 10M rows need about 450 MB besides the
    data.
    """
    n = data.shape[0]
    if not 1 <= k <= n:
        raise ValueError(f"k must be between 1 and the number of rows ({n}), got {k}.")
    sq_norms = _row_sq_norms(data)
    generator = torch.Generator(device="cpu").manual_seed(seed)
    best: tuple[np.ndarray, torch.Tensor, float] | None = None
    for run in range(n_init):
        if progress:
            progress(run / n_init, "k-means: k-means++ start")
        lloyd = _Lloyd(data, sq_norms, _plus_plus(data, sq_norms, k, generator))
        previous = float("inf")
        for step in range(max_iter):
            changed = lloyd.assign()
            inertia = lloyd.inertia()
            lloyd.move_centres()
            if progress:
                progress((run + (step + 1) / max_iter) / n_init, f"k-means: step {step + 1}")
            # (The first step has no previous inertia to compare with: inf - x <= tol * inf would stop it.)
            if step > 0 and (changed == 0 or previous - inertia <= tol * max(abs(previous), 1e-12)):
                break
            previous = inertia
        lloyd.assign()
        inertia = lloyd.inertia()
        if best is None or inertia < best[2]:
            best = (lloyd.labels.cpu().numpy(), lloyd.centres, inertia)
    assert best is not None
    if progress:
        progress(1.0, "k-means: done")
    return best


def _row_chunks(n: int, columns: int, elements: int = DISTANCE_ELEMENTS):
    """Row slices whose block (rows × ``columns``) stays within ``elements``."""
    step = max(1, elements // max(columns, 1))
    for start in range(0, n, step):
        yield slice(start, start + step)


def _row_sq_norms(data: torch.Tensor) -> torch.Tensor:
    out = torch.empty(data.shape[0], dtype=torch.float32, device=data.device)
    for rows in _row_chunks(data.shape[0], data.shape[1]):
        block = data[rows].float()
        out[rows] = (block * block).sum(1)
    return out


class _Lloyd:
    """The state of Lloyd's iteration: centres, every row's label, and float64 per-centre sums and counts that
    are updated from the rows that changed centre (after the first step, a few percent of the rows).

    On the CPU, Hamerly's bounds spare most of the scoring. Each row keeps an upper bound on its distance to its
    own centre and a lower bound on its distance to every other centre; when the centres move, the bounds widen
    by how far they moved. A row whose bounds still prove its own centre nearest, with room left for float32
    rounding, is not scored: its float32 scores would pick the same centre. So the labels are those of the
    plain float32 Lloyd iteration, and only the work differs. On a GPU every row is scored: the product is cheap
    there.
    """

    def __init__(self, data: torch.Tensor, sq_norms: torch.Tensor, centres: torch.Tensor) -> None:
        n = data.shape[0]
        self.data, self.sq_norms, self.centres = data, sq_norms, centres.float()
        self.k = centres.shape[0]
        self.labels = torch.full((n,), -1, dtype=torch.int64, device=data.device)
        self.sums = torch.zeros(self.k, data.shape[1], dtype=torch.float64, device=data.device)
        self.counts = torch.zeros(self.k, dtype=torch.int64, device=data.device)
        self.bounded = data.device.type == "cpu"
        self.moved_by: torch.Tensor | None = None  # how far each centre moved since the rows were last bounded
        self.scored_rows = 0  # rows scored against every centre so far: what the bounds leave to do
        if self.bounded:
            self.norms = sq_norms.double().sqrt().numpy()
            self.upper = np.full(n, np.inf)
            self.lower = np.zeros(n)
            # A dot product of d float32 terms errs by at most d·u·|x||c| (u = 2⁻²⁴), in any order of summation;
            # the score x·c - |c|²/2 and |x|² add a few more roundings.
            self.unit_error = (data.shape[1] + 4) * 2.0**-24

    def assign(self) -> int:
        """Every row to its nearest centre; returns how many rows changed centre."""
        half = ((self.centres * self.centres).sum(1) * -0.5)[:, None]
        widest = float(self.centres.double().norm(dim=1).max())
        changed = 0
        for rows in self._rows_to_score(widest):
            block = (self.data[rows] if isinstance(rows, slice) else self.data.index_select(0, rows)).float()
            # argmin |x - c|² = argmax x·c - |c|²/2: one product per cache-sized block, centres × rows, so the
            # best centre is found by a pass that runs along the rows.
            scores = torch.addmm(half, self.centres, block.T)
            self.scored_rows += block.shape[0]
            if self.bounded:
                numbers = np.arange(*rows.indices(len(self.labels))) if isinstance(rows, slice) else rows.numpy()
                changed += _kernels().settle(
                    scores.numpy(), block.contiguous().numpy(), numbers, self.sq_norms.numpy(), self.norms, widest,
                    self.unit_error, self.labels.numpy(), self.upper, self.lower, self.sums.numpy(),
                    self.counts.numpy(),
                )  # fmt: skip
                continue
            # On a GPU: the best centre by torch, the sums moved in torch.
            before = self.labels[rows].clone()
            nearest = scores.argmax(0)
            moved = (nearest != before).nonzero().squeeze(1)
            if moved.numel():
                changed += moved.numel()
                self._add(block[moved], before[moved], nearest[moved])
                self.labels[rows] = nearest
        return changed

    def _rows_to_score(self, widest: float) -> list:
        """Blocks of rows (slices, or tensors of row numbers) whose nearest centre the bounds do not settle."""
        n, step = self.data.shape[0], max(1, SCORE_ELEMENTS // self.k)
        if self.bounded and self.moved_by is not None:
            farthest = self.moved_by.topk(min(2, self.k))
            moves = farthest.values.tolist() + [0.0]
            unsettled = np.empty(n, dtype=np.int64)
            count = _kernels().widen(
                self.labels.numpy(), self.upper, self.lower, self.moved_by.numpy(), int(farthest.indices[0]),
                moves[0], moves[1], self.norms, widest, self.unit_error, unsettled,
            )  # fmt: skip
            self.moved_by = None
            if count <= DENSE_SHARE * n:
                rows = torch.from_numpy(unsettled[:count])
                return [rows[start : start + step] for start in range(0, count, step)]
        return list(_row_chunks(n, self.k, SCORE_ELEMENTS))

    def _add(self, block: torch.Tensor, before: torch.Tensor, after: torch.Tensor) -> None:
        """Moves rows from centre ``before`` (-1: none yet) to centre ``after`` in the sums and counts."""
        values = block.double()
        self.sums.index_add_(0, after, values)
        self.counts += torch.bincount(after, minlength=self.k)
        known = before >= 0
        if known.any():
            self.sums.index_add_(0, before[known], -values[known])
            self.counts -= torch.bincount(before[known], minlength=self.k)

    def inertia(self) -> float:
        """Σ|x - c|² over the current labels, from the sums: Σ|x|² - 2Σ c·S + Σ n|c|² (float64)."""
        c = self.centres.double()
        total = float(self.sq_norms.double().sum())
        return max(0.0, total - 2 * float((c * self.sums).sum()) + float((self.counts * (c * c).sum(1)).sum()))

    def move_centres(self) -> None:
        """Centres to the means of their rows. An empty cluster restarts at the row farthest from its centre."""
        empty = self.counts == 0
        means = (self.sums / self.counts.clamp_min(1)[:, None]).float()
        previous = self.centres
        self.centres = torch.where(empty[:, None], self.centres, means)
        if empty.any():
            distances = torch.empty(self.data.shape[0], device=self.data.device)
            for rows in _row_chunks(self.data.shape[0], self.data.shape[1]):
                distances[rows] = (self.data[rows].float() - self.centres[self.labels[rows]]).square().sum(1)
            self.centres[empty] = self.data[distances.topk(int(empty.sum())).indices].float()
        # In float64, a hair long, so that the bounds widened by it stay bounds despite float64 rounding.
        moved = (self.centres.double() - previous.double()).norm(dim=1) * (1 + 1e-9)
        self.moved_by = moved if self.moved_by is None else self.moved_by + moved


@functools.cache
def _kernels() -> Any:
    """The compiled passes of the bounded Lloyd step (numba, a dependency of umap-learn; cached on disk)."""
    import numba

    @numba.njit(cache=True, nogil=True)
    def widen(labels, upper, lower, moved_by, farthest, farthest_move, next_move, norms, widest, unit, out):
        """Widens each row's bounds by the moves of its centres (the other centres moved at most as far as the
        farthest-moving one that is not its own); writes the rows left unsettled to ``out``, returns how many."""
        n = labels.shape[0]
        unsettled = np.empty(n, dtype=np.bool_)
        for i in range(n):  # no branch and no write that depends on the data, so it vectorises
            own = labels[i]
            up = upper[i] + moved_by[own]
            low = lower[i] - (next_move if own == farthest else farthest_move)
            upper[i], lower[i] = up, low
            # Settled: every other centre is farther, by more than float32 scores could get wrong.
            slack = norms[i] + widest
            unsettled[i] = not (low > 0.0 and low * low > up * up + 4.0 * unit * slack * slack)
        count = 0
        for i in range(n):
            out[count] = i
            count += unsettled[i]
        return count

    @numba.njit(cache=True, nogil=True)
    def settle(scores, block, rows, sq_norms, norms, widest, unit, labels, upper, lower, sums, counts):
        """Each column's best and second-best score (scores: centres × rows of ``block``) give the row its
        centre and tight bounds, widened by the float32 error. A row that changes centre moves its values from
        one float64 sum to the other. Returns how many rows changed centre."""
        k, m = scores.shape
        where = np.zeros(m, dtype=np.int32)
        best = scores[0].copy()
        second = np.full(m, -np.inf, dtype=np.float32)
        for j in range(1, k):  # the inner loop runs along a row of scores and has no branch, so it vectorises
            jj = np.int32(j)
            for p in range(m):
                value = scores[j, p]
                where[p] = jj if value > best[p] else where[p]
                second[p] = max(second[p], min(value, best[p]))
                best[p] = max(best[p], value)
        changed = 0
        for p in range(m):
            i = rows[p]
            slack = norms[i] + widest
            error = 3.0 * unit * slack * slack
            upper[i] = np.sqrt(max(sq_norms[i] - 2.0 * best[p] + error, 0.0))
            lower[i] = np.sqrt(max(sq_norms[i] - 2.0 * second[p] - error, 0.0))
            before, after = labels[i], where[p]
            if after != before:
                labels[i] = after
                counts[after] += 1
                sums[after] += block[p]
                if before >= 0:
                    counts[before] -= 1
                    sums[before] -= block[p]
                changed += 1
        return changed

    return types.SimpleNamespace(widen=widen, settle=settle)


def _plus_plus(data: torch.Tensor, sq_norms: torch.Tensor, k: int, generator: torch.Generator) -> torch.Tensor:
    """k-means++: each next centre drawn with probability proportional to the squared distance to the nearest
    centre so far (with a few candidates per step, keeping the best, as scikit-learn does); over a random
    sample of ``SEED_SAMPLE`` rows when there are more."""
    n = data.shape[0]
    if n > SEED_SAMPLE:
        sample = torch.randperm(n, generator=generator)[:SEED_SAMPLE].sort().values.to(data.device)
        return _plus_plus(data[sample], sq_norms[sample], k, generator)
    trials = 2 + int(np.log(k))
    first = int(torch.randint(n, (1,), generator=generator))
    centres = [data[first].float()]
    closest = _sq_distances(data, sq_norms, centres[0][None])[0]
    for _ in range(1, k):
        total = float(closest.sum())
        if total <= 0:
            candidates = torch.randint(n, (trials,), generator=generator)
        else:
            candidates = _draw(closest.cpu(), total, trials, generator)
        candidates = candidates.to(data.device)
        d2 = _sq_distances(data, sq_norms, data[candidates].float())
        updated = torch.minimum(closest[None, :], d2)
        pick = int(updated.sum(1).argmin())
        centres.append(data[candidates[pick]].float())
        closest = updated[pick]
    return torch.stack(centres)


def _sq_distances(data: torch.Tensor, sq_norms: torch.Tensor, points: torch.Tensor) -> torch.Tensor:
    """Squared distances of a few points to every row (points × rows), in row chunks."""
    point_norms = (points * points).sum(1)
    out = torch.empty(points.shape[0], data.shape[0], dtype=torch.float32, device=data.device)
    for rows in _row_chunks(data.shape[0], points.shape[0]):
        block = (points @ data[rows].float().T).mul_(-2).add_(sq_norms[None, rows]).add_(point_norms[:, None])
        out[:, rows] = block.clamp_min_(0)
    return out


def _draw(weights: torch.Tensor, total: float, count: int, generator: torch.Generator) -> torch.Tensor:
    """``count`` row numbers drawn with replacement in proportion to ``weights``. torch.multinomial takes at most
    2**24 categories; above that, a float64 cumulative sum and a binary search."""
    if weights.shape[0] <= 1 << 24:
        return torch.multinomial(weights / total, count, replacement=True, generator=generator)
    cumulative = weights.double().cumsum(0)
    targets = torch.rand(count, generator=generator, dtype=torch.float64) * float(cumulative[-1])
    return torch.searchsorted(cumulative, targets).clamp_max(weights.shape[0] - 1)


def cluster(
    es: EmbeddingSet,
    method: str = "kmeans",
    k: int = 8,
    *,
    seed: int = 0,
    progress: Progress | None = None,
    **options: Any,
) -> np.ndarray:
    """A cluster id for every row (-1 is noise, for HDBSCAN), from the normalised vectors; cached per set and
    parameters."""
    if method not in CLUSTERINGS:
        raise ValueError(f"method={method!r} is not a clustering; use one of {CLUSTERINGS}.")
    key = (method, k if method == "kmeans" else None, seed, tuple(sorted((a, repr(b)) for a, b in options.items())))

    def build() -> np.ndarray:
        if method == "kmeans":
            # Three seeded starts, best inertia kept: one start alone sometimes merges two topics.
            return kmeans(es.unit, k, seed=seed, progress=progress, **{"n_init": 3, **options})[0]
        from sklearn.cluster import HDBSCAN

        settings = {"min_cluster_size": max(5, len(es) // 100), **options}
        found = HDBSCAN(**settings).fit_predict(es.unit.float().cpu().numpy())
        if progress:
            progress(1.0, "HDBSCAN: done")
        return found

    return es.cached("clusters", key, build)


def keyword_labels(texts: Sequence[str], clusters: Sequence[int] | np.ndarray, top_n: int = 3) -> pd.DataFrame:
    """Keywords per cluster by class-based TF-IDF: the words frequent in one cluster and rare in the others.

    Returns ``cluster, size, keywords (list), label ("a · b · c")``, largest cluster first; noise (-1) is left out.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    ids_by_row = np.asarray(clusters)
    ids = sorted(int(c) for c in np.unique(ids_by_row) if c >= 0)
    documents = [" ".join(t for t, c in zip(texts, ids_by_row) if c == cid) for cid in ids]
    columns = ["cluster", "size", "keywords", "label"]
    if not ids:
        return pd.DataFrame(columns=columns)
    try:
        vectorizer = CountVectorizer(stop_words="english", token_pattern=r"(?u)\b[^\W\d_][\w'-]+\b")
        counts = vectorizer.fit_transform(documents).toarray().astype(np.float64)
    except ValueError:  # every word was a stop word
        counts, vectorizer = np.zeros((len(ids), 0)), None
    rows = []
    if counts.shape[1]:
        words = vectorizer.get_feature_names_out()
        term_frequency = counts / np.maximum(counts.sum(1, keepdims=True), 1)
        average_words = counts.sum() / len(ids)
        idf = np.log1p(average_words / np.maximum(counts.sum(0), 1))
        scores = term_frequency * idf
    for i, cid in enumerate(ids):
        keywords = [] if not counts.shape[1] else [words[j] for j in np.argsort(-scores[i])[:top_n] if scores[i, j] > 0]
        rows.append(
            {
                "cluster": cid,
                "size": int((ids_by_row == cid).sum()),
                "keywords": keywords,
                "label": " · ".join(keywords) if keywords else f"cluster {cid}",
            }
        )
    return (
        pd.DataFrame(rows, columns=columns).sort_values("size", ascending=False, kind="stable").reset_index(drop=True)
    )
