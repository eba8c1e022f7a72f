"""The engine's docstring examples run (BM25, EmbeddingSet, the shared checks...), so they stay true."""

import doctest
import importlib
import pkgutil

import pytest

import embedwidgets.engine as engine

MODULES = sorted(m.name for m in pkgutil.iter_modules(engine.__path__))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"embedwidgets.engine.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
