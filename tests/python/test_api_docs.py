"""The committed API reference (docs/api/) is what scripts/build_api_docs.py generates from
the installed package's docstrings: a changed docstring or signature without regenerated pages
fails here (run ``python scripts/build_api_docs.py``)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def builder():
    spec = importlib.util.spec_from_file_location(
        "build_api_docs", REPO / "scripts" / "build_api_docs.py"
    )  # noqa: E501
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_pages_are_up_to_date(builder):
    stale = builder.stale(REPO / "docs" / "api")
    assert stale == [], f"regenerate with `python scripts/build_api_docs.py`: {stale}"


def test_every_public_module_has_a_page(builder, tmp_path):
    written = {p.name for p in builder.build(tmp_path)}
    for name in ["aequa", "aequa.explain", "aequa.drift", "aequa.robust", "aequa.plot",
                 "aequa.datasets"]:  # fmt: skip
        assert f"{name}.md" in written
    index = (tmp_path / "README.md").read_text()
    assert "[`aequa.plot`](aequa.plot.md)" in index
    # Re-exported names are documented once, on the highest page.
    assert not (tmp_path / "aequa.plot.fairness.md").exists()
    assert "### class `aequa.MetricFrame`" in (tmp_path / "aequa.md").read_text()


def test_pages_render_signatures_and_numpydoc(builder, tmp_path):
    builder.build(tmp_path)
    page = (tmp_path / "aequa.plot.md").read_text()
    assert (
        "### `aequa.plot.threshold_curve(y_true: Any, y_score: Any, *, sensitive_features" in page
    )
    assert "**Parameters**" in page and "- `metric : str or callable`" in page
    assert "```pycon\n>>> import matplotlib" in page
    assert ":func:" not in page


def test_a_stale_page_is_reported(builder, tmp_path):
    builder.build(tmp_path)
    (tmp_path / "aequa.plot.md").write_text("old\n")
    (tmp_path / "aequa.gone.md").write_text("removed module\n")
    assert builder.stale(tmp_path) == ["aequa.gone.md", "aequa.plot.md"]
    assert builder.main(["--check", str(tmp_path)]) == 1


def test_metrics_guide_covers_every_metric_and_alias():
    """docs/metrics.md's table names every built-in metric and every alias the core accepts."""
    import aequa
    import aequa.fairness
    import aequa.metrics

    guide = (REPO / "docs" / "metrics.md").read_text(encoding="utf-8")
    rows = [line for line in guide.splitlines() if line.startswith("| `")]
    first_cells = " ".join(row.split("|")[1] for row in rows)
    names = [n for n in aequa.metrics.__all__ if n != "builtin_name"]
    missing = [n for n in names if f"`{n}`" not in first_cells]
    assert missing == [], f"docs/metrics.md lacks {missing}"
    # Every alias in the table is accepted as a metric name and gives the row's metric.
    rng = np.random.default_rng(0)
    y, p, g = rng.integers(0, 2, 200), rng.integers(0, 2, 200), rng.integers(0, 3, 200)
    for row in rows:
        cell = row.split("|")[1]
        tokens = [t.strip("`(), ") for t in cell.split("`") if t.strip("`(), ")]
        canonical, aliases = tokens[0], tokens[1:]
        want = aequa.MetricFrame(metrics=canonical, y_true=y, y_pred=p, sensitive_features=g)
        for alias in aliases:
            got = aequa.MetricFrame(metrics=alias, y_true=y, y_pred=p, sensitive_features=g)
            np.testing.assert_array_equal(got.by_group.to_numpy(), want.by_group.to_numpy())
    # Every one-number disparity is named (a ratio may share a line with its difference).
    for fn in aequa.fairness.__all__:
        pair = fn.replace("_ratio", "_difference") + "/ratio"
        assert f"`{fn}`" in guide or f"`{pair}`" in guide or fn == "reference_disparities", fn
