"""Small corpora written for the embedwidgets tutorials, bundled with the package (no downloads).

>>> import embedwidgets.datasets as data
>>> docs = data.articles()                 # 64 short articles: id, title, text, topic
>>> texts = data.topics()                  # 2,021 one- or two-sentence texts on ten topics
>>> sorted(texts.planted.unique())
['', 'duplicate', 'outlier']

Both are dedicated to the public domain (CC0 1.0); see ``LICENSE`` and ``README.md`` in this folder.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
FILES = {"articles": "articles.csv", "topics": "topics.csv"}

__all__ = ["articles", "topics", "path"]


def path(name: str) -> Path:
    """The file behind a bundled corpus: ``path("articles")`` or ``path("topics")``."""
    if name not in FILES:
        raise ValueError(f"no bundled corpus named {name!r}; the corpora are {sorted(FILES)}.")
    return HERE / FILES[name]


@cache
def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(path(name), dtype=str, keep_default_na=False, encoding="utf-8")


def articles() -> pd.DataFrame:
    """64 short articles (two to four sentences) for the keyword-versus-meaning search lessons.

    Columns: ``id`` (a readable slug), ``title``, ``text``, ``topic`` (medicine, travel, cars, cooking, pets,
    computing, gardening). They are written so that the lesson's queries behave as the lesson says:

    - the heart-attack articles (ids starting ``heart-attack``, ``myocardial``, ``angina``) never use the words
      chest, tightness, arm, left, pain or sweating, so keyword search finds nothing for
      "chest tightness, left arm pain, sweating" while a sentence encoder ranks them first;
    - the airfare articles (``affordable-airfare-timing``, ``budget-airline-fees``, ``fare-alerts``,
      ``air-miles``) never say "cheap" or "flights";
    - most physician articles say physician, GP or clinician, never doctor, and most vehicle articles say
      automobile or vehicle, never car.

    >>> articles().loc[0, "title"]
    'Recognising a heart attack'
    """
    return _read("articles").copy()


def topics() -> pd.DataFrame:
    """2,021 short texts on ten clearly different topics, for clustering, near-duplicate and outlier lessons.

    Columns: ``id`` (int), ``text``, ``topic`` (football, cooking, astronomy, finance, gardening, medicine,
    travel, music, programming, weather; "other" for the outliers), ``planted`` ("" for ordinary texts,
    "duplicate" for 13 lightly edited copies of other texts, "outlier" for 8 off-topic oddities) and
    ``duplicate_of`` (the id a planted copy was made from, else missing).

    Made by ``make_topics.py`` in this folder (seeded, so the same on every run): rerun it to rebuild the file.
    Texts made from the same sentence frame can score above 0.9 cosine similarity even when their details
    differ (a date, a number, a name); the planted copies score about 0.95 or more with their originals.

    >>> frame = topics()
    >>> frame.topic.nunique(), int((frame.planted == "outlier").sum())
    (11, 8)
    """
    frame = _read("topics").copy()
    frame["id"] = frame["id"].astype(int)
    frame["duplicate_of"] = pd.to_numeric(frame["duplicate_of"]).astype("Int64")
    return frame
