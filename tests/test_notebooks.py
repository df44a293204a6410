"""The notebooks in ``notebooks/`` run top to bottom, and each py:percent source matches its .ipynb."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SOURCES = sorted(NOTEBOOKS.glob("*.py"))


def test_every_source_has_a_pair() -> None:
    assert SOURCES, "no notebooks found"
    assert (NOTEBOOKS / "jupytext.toml").read_text("utf-8").strip() == 'formats = "ipynb,py:percent"'
    for source in SOURCES:
        assert source.with_suffix(".ipynb").is_file(), f"{source.name} has no paired .ipynb"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_source_and_ipynb_in_sync_and_stripped(source: Path) -> None:
    jupytext = pytest.importorskip("jupytext")
    import nbformat

    from_py = jupytext.read(source)
    committed = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    # the same cells, in the same order, with the same source
    assert [(c.cell_type, c.source) for c in from_py.cells] == [
        (c.cell_type, c.source) for c in committed.cells
    ], f"{source.name} and its .ipynb differ: run `jupytext --sync {source.relative_to(ROOT)}`"
    # outputs are stripped from the committed notebook
    for cell in committed.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, source.name


@pytest.mark.slow
@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_notebook_executes(source: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("nbclient")
    import nbformat
    from nbclient import NotebookClient

    # the kernel's default backend, matplotlib-inline, draws with Agg into PNG
    # outputs: no display needed, and the figures can be checked below
    monkeypatch.delenv("MPLBACKEND", raising=False)
    nb = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "reuse clusters" in text and "passage(s)" in text
    # every figure cell produced an image
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 3, f"expected the table, heatmap and timeline figures, got {len(images)}"
