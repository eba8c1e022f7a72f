"""Analogies (3CosAdd, 3CosMul) and the word-vector benchmarks, with gensim's answers.

gensim's semantics, which we match: the inputs are normalised, combined with weights +1/-1,
divided by the total weight and normalised again (3CosAdd), or turned into shifted cosines
(1 + cos) / 2 multiplied and divided with epsilon 1e-6 (3CosMul, Levy & Goldberg). The input words
never come back as answers unless ``exclude_inputs=False``.

Where we differ on purpose (gensim's known bugs): 3CosMul honours ``restrict_vocab``, and the
benchmark report splits semantic from syntactic sections.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import torch

from . import search
from ._checks import check_k, normalise_rows
from .errors import EmbedWidgetsError

if TYPE_CHECKING:
    from .embeddings import EmbeddingSet
    from .index import Index

METHODS = ("3cosadd", "3cosmul")
EPSILON = 1e-6
SEMANTIC_SECTIONS = 5  # questions-words.txt: the first five sections are semantic, the other nine syntactic
GENSIM_TOPN = 5  # gensim looks at this many answers per benchmark question


@dataclass
class CosMulScorer(search.Scorer):
    """3CosMul: prod over positives of (1+cos)/2, divided by (prod over negatives of (1+cos)/2) + eps."""

    matrix: torch.Tensor  # (n, d), unit rows
    positives: torch.Tensor  # (p, b, d), unit
    negatives: torch.Tensor  # (m, b, d), unit

    def __post_init__(self) -> None:
        self.n_queries = self.positives.shape[1]
        self._terms_t = [t.T.contiguous() for t in self.positives] + [t.T.contiguous() for t in self.negatives]
        self._scratch: dict[tuple[int, ...], tuple[torch.Tensor, torch.Tensor]] = {}

    def pick(self, which: slice | torch.Tensor) -> CosMulScorer:
        return CosMulScorer(self.matrix, self.positives[:, which], self.negatives[:, which])

    def block(self, start: int, stop: int, out: torch.Tensor) -> None:
        target = out[: stop - start]
        shape = tuple(target.shape)
        if shape not in self._scratch:
            self._scratch = {shape: (torch.empty_like(target), torch.empty_like(target))}
        term, denominator = self._scratch[shape]
        rows = self.matrix[start:stop].float()
        n_pos = self.positives.shape[0]
        target.fill_(1.0)
        denominator.fill_(1.0)
        for i, term_t in enumerate(self._terms_t):
            torch.mm(rows, term_t, out=term)
            term.add_(1.0).mul_(0.5)
            (target if i < n_pos else denominator).mul_(term)
        target.div_(denominator.add_(EPSILON))

    def score_groups(self, groups: torch.Tensor, size: int) -> torch.Tensor:
        gathered = search.gather_groups(self.matrix, groups, size).float()  # (b, r, d)

        def shifted(terms: torch.Tensor) -> torch.Tensor:  # the product of (1 + cos) / 2; 1 for no terms
            product = torch.ones_like(gathered[..., 0])
            for term in terms:
                product = product * ((search.batched_dot(gathered, term) + 1.0) * 0.5)
            return product

        return shifted(self.positives) / (shifted(self.negatives) + EPSILON)


def _unit_rows(es: EmbeddingSet, rows: torch.Tensor) -> torch.Tensor:
    return es.unit[rows].float()


def answer(
    es: EmbeddingSet,
    positive_rows: Sequence[Sequence[int]] | np.ndarray,
    negative_rows: Sequence[Sequence[int]] | np.ndarray,
    k: int,
    *,
    method: str = "3cosadd",
    exclude_inputs: bool = True,
    restrict_vocab: int | None = None,
    screen: bool | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Batched analogies on row indices: ``(scores, rows)``, each (questions, k). Rows of -1 are unfilled.

    ``screen`` forces the bfloat16 screen of 3CosAdd on or off (see ``search``); answers are the same.
    """
    if method not in METHODS:
        raise ValueError(f"method={method!r} is not supported; use one of {METHODS}.")
    device = es.device
    pos = torch.as_tensor(np.asarray(positive_rows, dtype=np.int64).reshape(len(positive_rows), -1), device=device)
    neg = torch.as_tensor(np.asarray(negative_rows, dtype=np.int64).reshape(len(positive_rows), -1), device=device)
    n = len(es) if restrict_vocab is None else max(1, min(int(restrict_vocab), len(es)))
    matrix = es.unit[:n]
    if method == "3cosadd":
        total = _unit_rows(es, pos).sum(1) - _unit_rows(es, neg).sum(1)
        query = total / float(pos.shape[1] + neg.shape[1])
        query = normalise_rows(query)
        scorer: search.Scorer = search.LinearScorer(
            matrix, query.to(matrix.dtype), screen=es.screen_matrix(n, len(query), screen)
        )
    else:
        scorer = CosMulScorer(matrix, _unit_rows(es, pos).transpose(0, 1), _unit_rows(es, neg).transpose(0, 1))
    exclude = torch.cat([pos, neg], dim=1) if exclude_inputs else None
    scores, rows = search.top_k(scorer, min(k, n), exclude=exclude)
    scores = scores.float()
    rows = rows.masked_fill(torch.isinf(scores), -1)
    return scores.cpu().numpy().astype(np.float64), rows.cpu().numpy()


def analogy(
    es: EmbeddingSet,
    positive: Sequence[str] | str,
    negative: Sequence[str] | str = (),
    *,
    k: int = 5,
    method: str = "3cosadd",
    exclude_inputs: bool = True,
    restrict_vocab: int | None = None,
    index: str | Index = "auto",
) -> pd.DataFrame:
    """One analogy: a DataFrame of ``rank, label, score``. See ``EmbeddingSet.analogy``."""
    check_k(k)
    positive = [positive] if isinstance(positive, str) else list(positive)
    negative = [negative] if isinstance(negative, str) else list(negative)
    if not positive:
        raise ValueError("an analogy needs at least one positive word, e.g. positive=['king', 'woman'].")
    rows = es.rows(positive + negative)
    chosen = es.pick_index(index) if method == "3cosadd" and restrict_vocab is None else None
    if chosen is not None:
        return _indexed_analogy(es, chosen, rows[: len(positive)], rows[len(positive) :], k, exclude_inputs)
    scores, found = answer(
        es,
        [rows[: len(positive)]],
        [rows[len(positive) :]],
        k,
        method=method,
        exclude_inputs=exclude_inputs,
        restrict_vocab=restrict_vocab,
    )
    frame = es.result_frame(scores[0], found[0])
    frame.attrs.update(index="exact", recall=1.0, note="exact", exact=True)
    return frame


def _indexed_analogy(
    es: EmbeddingSet, index: Index, positive: list[int], negative: list[int], k: int, exclude_inputs: bool
) -> pd.DataFrame:
    """3CosAdd through an approximate index: the same query direction (the normalised mean of the inputs'
    unit vectors, gensim's), its nearest rows by exact cosine among the index's candidates."""
    pos = torch.as_tensor(positive, device=es.device)
    neg = torch.as_tensor(negative, device=es.device)
    query = normalise_rows((_unit_rows(es, pos).sum(0) - _unit_rows(es, neg).sum(0))[None]).cpu().numpy()
    inputs = set(positive) | set(negative)
    scores, rows = index.search(query, min(len(es), k + (len(inputs) if exclude_inputs else 0)))
    keep = [i for i, row in enumerate(rows[0]) if row >= 0 and not (exclude_inputs and int(row) in inputs)][:k]
    frame = es.result_frame(scores[0][keep].astype(np.float64), rows[0][keep])
    frame.attrs.update(index=index.kind, recall=index.recall, note=index.label, exact=False)
    return frame


def analogies(
    es: EmbeddingSet,
    questions: Any,
    *,
    k: int = 1,
    method: str = "3cosadd",
    exclude_inputs: bool = True,
    restrict_vocab: int | None = None,
) -> pd.DataFrame:
    """Many "a is to b as c is to ?" questions at once. See ``EmbeddingSet.analogies``."""
    check_k(k)
    if isinstance(questions, pd.DataFrame):
        missing = [c for c in "abc" if c not in questions.columns]
        if missing:
            raise KeyError(f"the questions DataFrame needs columns a, b, c; it lacks {missing}.")
        triples = list(zip(questions["a"], questions["b"], questions["c"]))
    else:
        triples = [tuple(q) for q in questions]
    if not triples:
        raise ValueError("no questions given; pass a list of (a, b, c) triples.")
    bad = [i for i, t in enumerate(triples) if len(t) != 3]
    if bad:
        raise ValueError(
            f"each question is (a, b, c), meaning a is to b as c is to ?; questions {bad[:10]} do not have three words."
        )
    rows = np.asarray(es.rows([w for t in triples for w in t]), dtype=np.int64).reshape(-1, 3)
    scores, found = answer(
        es,
        rows[:, [1, 2]],
        rows[:, [0]],
        k,
        method=method,
        exclude_inputs=exclude_inputs,
        restrict_vocab=restrict_vocab,
    )
    labels = es.labels
    records = []
    for q, (a, b, c) in enumerate(triples):
        for rank, (row, score) in enumerate(zip(found[q], scores[q]), start=1):
            if row >= 0:
                records.append((q, a, b, c, rank, labels[row], score))
    return pd.DataFrame(records, columns=["question", "a", "b", "c", "rank", "label", "score"])


def analogy_geometry(es: EmbeddingSet, a: str, b: str, c: str, answers: Sequence[str]) -> pd.DataFrame:
    """Where the words of "a is to b as c is to ?" lie: a 2-D PCA of a, b, c, the target b − a + c and
    the answers, with each word's exact cosine to the target (unit vectors, as 3CosAdd uses them).

    Returns ``label, role, x, y, cosine`` with role ``a``, ``b``, ``c``, ``target`` or ``answer``.
    """
    from .project import pca_2d

    inputs = es.rows([a, b, c])
    unit = es.unit
    target = unit[inputs[1]].float() - unit[inputs[0]].float() + unit[inputs[2]].float()
    target = normalise_rows(target)
    answer_rows = [r for r in es.rows(list(answers)) if r not in inputs]
    rows = torch.tensor(inputs + answer_rows, device=unit.device)
    vectors = torch.cat([unit[rows].float(), target[None]])
    xy = pca_2d(vectors.cpu().numpy())
    cosines = (vectors @ target).cpu().numpy().astype(np.float64)
    labels = [a, b, c] + [es.labels[r] for r in answer_rows] + [f"{b} − {a} + {c}"]
    roles = ["a", "b", "c"] + ["answer"] * len(answer_rows) + ["target"]
    return pd.DataFrame({"label": labels, "role": roles, "x": xy[:, 0], "y": xy[:, 1], "cosine": cosines})


# ---- benchmarks ---------------------------------------------------------------------------------


@dataclass
class AnalogyReport:
    """Accuracy on an analogy benchmark, overall and by section."""

    total: float
    semantic: float
    syntactic: float
    scored: int
    skipped: int
    sections: pd.DataFrame
    wrong: pd.DataFrame = field(repr=False)
    method: str = "3cosadd"
    restrict_vocab: int | None = None
    seconds: float = 0.0

    def __repr__(self) -> str:
        return (
            f"AnalogyReport({self.method}: total {self.total:.2%}, semantic {self.semantic:.2%}, "
            f"syntactic {self.syntactic:.2%}; {self.scored:,} scored, {self.skipped:,} skipped, "
            f"{self.seconds:.1f} s)"
        )


@dataclass
class SimilarityReport:
    """Agreement with human similarity judgements."""

    spearman: float
    pearson: float
    pairs_used: int
    pairs_skipped: int
    name: str = ""

    @property
    def oov_ratio(self) -> float:
        """Percent of pairs skipped for unknown words, as gensim reports it."""
        total = self.pairs_used + self.pairs_skipped
        return 100.0 * self.pairs_skipped / total if total else 0.0


def gensim_datapath(filename: str) -> str:
    """A benchmark file shipped in gensim's wheel."""
    try:
        from gensim.test.utils import datapath
    except ImportError:
        raise EmbedWidgetsError(
            f"{filename} ships with gensim, which is not installed. "
            f"Install it (pip install gensim) or pass the path of your own copy."
        ) from None
    return datapath(filename)


def _vocabulary(es: EmbeddingSet, restrict_vocab: int | None, case_insensitive: bool) -> dict[str, int]:
    """gensim's ok_vocab: the first ``restrict_vocab`` labels; with case folding, the first spelling wins.

    Kept in the set's cache (the latest one only), since building it for 300,000 words costs more than a
    thousand analogies.
    """

    def build() -> dict[str, int]:
        ok: dict[str, int] = {}
        for row, label in enumerate(es.labels[:restrict_vocab]):
            ok.setdefault(label.upper() if case_insensitive else label, row)
        return ok

    return es.cached("analogy vocabulary", (restrict_vocab, case_insensitive), build, keep=1)


def _shared_spellings(es: EmbeddingSet, restrict_vocab: int | None, case_insensitive: bool) -> set[str]:
    """Folded spellings that more than one of the first ``restrict_vocab`` labels share."""

    def build() -> set[str]:
        ok = _vocabulary(es, restrict_vocab, case_insensitive)
        shared: set[str] = set()
        if len(ok) != len(es.labels[:restrict_vocab]):
            seen: set[str] = set()
            for label in es.labels[:restrict_vocab]:
                folded = label.upper() if case_insensitive else label
                if folded in seen:
                    shared.add(folded)
                seen.add(folded)
        return shared

    return es.cached("analogy shared spellings", (restrict_vocab, case_insensitive), build, keep=1)


def _read_lines(path: str | Path) -> list[str]:
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise FileNotFoundError(f"no benchmark file at {path!s}; check the path.") from None


def evaluate_analogies(
    es: EmbeddingSet,
    path: str | Path | None = None,
    *,
    restrict_vocab: int = 300000,
    method: str = "3cosadd",
    case_insensitive: bool = True,
) -> AnalogyReport:
    """Score an analogy file of ": section" headers and "a b c d" lines, as gensim does."""
    started = time.perf_counter()
    path = path or gensim_datapath("questions-words.txt")
    ok = _vocabulary(es, restrict_vocab, case_insensitive)
    section_names: list[str] = []
    questions: list[tuple[int, list[str]]] = []  # (section, [a, b, c, expected] as in the file)
    keys: list[list[str]] = []  # the same words, folded
    skipped = 0
    fold = str.upper if case_insensitive else str
    for line_no, line in enumerate(_read_lines(path)):
        if line.startswith(": "):
            section_names.append(line.lstrip(": ").strip())
            continue
        words = line.split()
        if not section_names:
            raise ValueError(f"{path}: line {line_no + 1} comes before any ': section' header.")
        if len(words) != 4:
            continue  # gensim skips malformed lines without counting them
        folded = [fold(w) for w in words]
        if any(key not in ok for key in folded):
            skipped += 1
            continue
        questions.append((len(section_names) - 1, words))
        keys.append(folded)
    correct = np.zeros(len(questions), dtype=bool)
    predicted: list[str] = [""] * len(questions)
    if questions:
        rows = np.array([[ok[a], ok[b], ok[c]] for a, b, c, _ in keys], dtype=np.int64)
        # gensim walks its top 5 for the first answer whose folded spelling is not an input's. Unless an
        # input shares its folded spelling with another label, that is always the first answer.
        shared = _shared_spellings(es, restrict_vocab, case_insensitive)
        depth = GENSIM_TOPN if shared and any(k in shared for q in keys for k in q[:3]) else 1
        _, found = answer(es, rows[:, [1, 2]], rows[:, [0]], depth, method=method, restrict_vocab=restrict_vocab)
        labels = es.labels
        for q, folded in enumerate(keys):
            guess = None
            for row in found[q]:
                if row < 0:
                    break
                guess = labels[row]
                if fold(guess) not in folded[:3]:
                    break
            predicted[q] = guess or ""
            correct[q] = guess is not None and fold(guess) == folded[3]
    section_of = np.array([s for s, _ in questions], dtype=np.int64)
    table = []
    for s, name in enumerate(section_names):
        mask = section_of == s
        right, scored = int(correct[mask].sum()), int(mask.sum())
        table.append(
            {
                "section": name,
                "kind": "semantic" if s < SEMANTIC_SECTIONS else "syntactic",
                "correct": right,
                "scored": scored,
                "accuracy": right / scored if scored else float("nan"),
            }
        )
    sections = pd.DataFrame(table, columns=["section", "kind", "correct", "scored", "accuracy"])

    def accuracy(mask: np.ndarray) -> float:
        return float(correct[mask].mean()) if mask.any() else float("nan")

    wrong = pd.DataFrame(
        [
            {"section": section_names[s], "a": w[0], "b": w[1], "c": w[2], "expected": w[3], "predicted": predicted[q]}
            for q, (s, w) in enumerate(questions)
            if not correct[q]
        ],
        columns=["section", "a", "b", "c", "expected", "predicted"],
    )
    return AnalogyReport(
        total=accuracy(np.ones(len(questions), dtype=bool)),
        semantic=accuracy(section_of < SEMANTIC_SECTIONS),
        syntactic=accuracy(section_of >= SEMANTIC_SECTIONS),
        scored=len(questions),
        skipped=skipped,
        sections=sections,
        wrong=wrong,
        method=method,
        restrict_vocab=restrict_vocab,
        seconds=time.perf_counter() - started,
    )


SIMILARITY_FILES = {"wordsim353": "wordsim353.tsv", "simlex999": "simlex999.txt"}


def evaluate_similarity(
    es: EmbeddingSet,
    name_or_path: str | Path = "wordsim353",
    *,
    restrict_vocab: int = 300000,
    case_insensitive: bool = True,
) -> SimilarityReport:
    """Spearman and Pearson correlation of cosine similarity with a "word1<TAB>word2<TAB>score" file."""
    from scipy import stats

    name = str(name_or_path)
    path = gensim_datapath(SIMILARITY_FILES[name]) if name in SIMILARITY_FILES else name
    ok = _vocabulary(es, restrict_vocab, case_insensitive)
    gold, model = [], []
    skipped = 0
    unit = es.unit.float().cpu().numpy()
    for line in _read_lines(path):
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3:
            continue
        a, b, value = fields
        try:
            score = float(value)
        except ValueError:
            continue
        a, b = (a.upper(), b.upper()) if case_insensitive else (a, b)
        if a not in ok or b not in ok:
            skipped += 1
            continue
        gold.append(score)
        model.append(float(unit[ok[a]] @ unit[ok[b]]))
    if len(gold) < 2:
        raise ValueError(
            f"{path}: fewer than two usable pairs ({skipped} skipped for unknown words); "
            f"check the file format (word1<TAB>word2<TAB>score) and the vocabulary."
        )
    return SimilarityReport(
        spearman=float(stats.spearmanr(gold, model).statistic),
        pearson=float(stats.pearsonr(gold, model).statistic),
        pairs_used=len(gold),
        pairs_skipped=skipped,
        name=Path(name).stem,
    )
