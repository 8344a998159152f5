"""Streaming: files above the memory cap go through FairnessAccumulator chunk by chunk.

The memory test writes a CSV ten times larger than the cap, runs `aequa audit` on it in a
child process and reads the child's peak resident memory (``os.wait4``). The baseline is the
same command streaming a small file (interpreter, numpy, pandas, pyarrow and aequa loaded, the
same code path), so the difference is what the data costs: it must stay under the cap.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from _cli import frame, load, run
from aequa.cli import main
from aequa.cli._progress import Progress

CAP_MB = 20


def _block(n: int, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    score = np.round(rng.random(n), 4)
    group = rng.choice(["a", "b", "c"], n)
    sex = rng.choice(["F", "M"], n)
    x = np.round(rng.normal(size=n), 3)
    return "".join(f"{a},{b},{c},{d},{e}\n" for a, b, c, d, e in zip(y, score, group, sex, x))


def _write(path: Path, block: str, repeats: int) -> None:
    with open(path, "w") as f:
        f.write("y,score,group,sex,x\n")
        for _ in range(repeats):
            f.write(block)


# Run by a small launcher process: on Linux a child's ru_maxrss starts from its parent's
# resident size at fork (it survives exec), so forking from pytest itself would report
# pytest's own footprint. The launcher is small, so its children report their own peak.
_LAUNCHER = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
err = proc.stderr.read()
_, status, usage = os.wait4(proc.pid, 0)
sys.stderr.write(err.decode())
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def _peak_rss_mb(args: list[str], env: dict[str, str]) -> tuple[int, float]:
    """Exit code and peak resident memory (MB) of ``python -m aequa.cli ARGS``."""
    res = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, sys.executable, "-m", "aequa.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=600,
    )
    assert res.returncode == 0, res.stderr
    code, kilobytes = res.stdout.split()
    assert int(code) == 0, res.stderr
    return int(code), int(kilobytes) / 1024.0  # ru_maxrss is in kilobytes on Linux


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ru_maxrss units are Linux's")
def test_file_ten_times_the_cap_streams_with_flat_memory(tmp_path: Path, capsys) -> None:
    block = _block(100_000)
    small, big = tmp_path / "small.csv", tmp_path / "big.csv"
    _write(small, block, 1)
    repeats = int(np.ceil(10 * CAP_MB * 1e6 / len(block))) + 1
    _write(big, block, repeats)
    size_mb = big.stat().st_size / 1e6
    assert size_mb >= 10 * CAP_MB
    env = {"AEQUA_MEMORY_CAP_MB": str(CAP_MB)}
    common = ["--label", "y", "--score", "score", "--sensitive", "group,sex"]
    # Baseline: the same streaming path on a small file (forced with --chunk-rows).
    _, base = _peak_rss_mb(
        [
            "audit",
            str(small),
            *common,
            "--chunk-rows",
            "30000",
            "--json",
            str(tmp_path / "small_streamed.json"),
        ],
        env,
    )
    _, peak = _peak_rss_mb(["audit", str(big), *common, "--json", str(tmp_path / "big.json")], env)
    with capsys.disabled():
        print(
            f"\n[streaming] file {size_mb:.0f} MB ({repeats * 100_000:,} rows), cap {CAP_MB} MB: "
            f"peak RSS {peak:.1f} MB, baseline {base:.1f} MB, data {peak - base:.1f} MB"
        )
    assert peak - base < CAP_MB
    streamed = load(tmp_path / "big.json")
    assert streamed["lineage"]["parameters"]["streamed"] is True
    assert streamed["lineage"]["data"]["rows"] == repeats * 100_000
    # The in-memory computation on the block: every count times `repeats`, every rate equal.
    res = run("audit", str(small), *common, "--json", str(tmp_path / "small.json"))
    assert res.returncode == 0, res.stderr
    in_memory = load(tmp_path / "small.json")
    assert in_memory["lineage"]["parameters"]["streamed"] is False
    got = streamed["reports"][0]["report"]["values"]["by_group"]
    want = in_memory["reports"][0]["report"]["values"]["by_group"]
    assert [r["group"] for r in got] == [r["group"] for r in want]
    for g, w in zip(got, want):
        for metric, value in w["values"].items():
            expected = value * repeats if metric == "count" else value
            assert g["values"][metric] == pytest.approx(expected, rel=1e-12, abs=0), metric


@pytest.mark.parametrize("ext", ["csv", "parquet"])
def test_streamed_equals_in_memory_exactly(tmp_path: Path, ext: str) -> None:
    df = frame(n=20_000, seed=5)
    path = tmp_path / f"d.{ext}"
    df.to_csv(path, index=False) if ext == "csv" else df.to_parquet(path, row_group_size=3000)
    args = [
        "audit",
        str(path),
        "--label",
        "y",
        "--score",
        "score",
        "--threshold",
        "0.55",
        "--sensitive",
        "group,sex",
    ]
    assert main([*args, "--json", str(tmp_path / "mem.json")]) == 0
    assert main([*args, "--chunk-rows", "1234", "--json", str(tmp_path / "chunks.json")]) == 0
    mem, chunks = load(tmp_path / "mem.json"), load(tmp_path / "chunks.json")
    assert mem["lineage"]["parameters"]["streamed"] is False
    assert chunks["lineage"]["parameters"]["streamed"] is True
    a, b = mem["reports"][0]["report"], chunks["reports"][0]["report"]
    assert a["values"] == b["values"] and a["sizes"] == b["sizes"] and a["tests"] == b["tests"]
    assert mem["lineage"]["data"] == chunks["lineage"]["data"]
    assert mem["data"] is not None and chunks["data"] is None  # too big to embed when streamed


def test_streamed_policy_check_equals_in_memory(tmp_path: Path) -> None:
    frame(n=10_000, seed=6).to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "p.toml").write_text(
        '[data]\nlabel = "y"\nprediction = "y_hat"\nsensitive = ["group", "sex"]\n'
        '[[check]]\nmetric = "equalized_odds_difference"\nmax = 0.3\n'
        '[[check]]\nmetric = "selection_rate"\nmin = 0.1\n'
    )
    base = ["check", "--policy", str(tmp_path / "p.toml"), str(tmp_path / "d.csv")]
    main([*base, "--json", str(tmp_path / "a.json")])
    main([*base, "--chunk-rows", "700", "--json", str(tmp_path / "b.json")])
    a, b = load(tmp_path / "a.json"), load(tmp_path / "b.json")
    for doc in (a, b):
        for c in doc["checks"]:
            c.pop("seconds")
    assert [c["value"] for c in a["checks"]] == [c["value"] for c in b["checks"]]
    assert json.dumps(a["checks"]) == json.dumps(b["checks"])


def test_streamed_data_refuses_what_needs_rows(tmp_path: Path, capsys) -> None:
    frame(n=2000).to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "p.toml").write_text(
        '[data]\nlabel = "y"\nprediction = "y_hat"\nsensitive = "group"\n'
        '[[check]]\nmetric = "disparate_impact_ratio"\nprivileged = "a"\nmin = 0.8\n'
    )
    code = main(
        [
            "check",
            "--policy",
            str(tmp_path / "p.toml"),
            str(tmp_path / "d.csv"),
            "--chunk-rows",
            "100",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "p.toml:6: [[check]] #1 metric: disparate_impact_ratio needs the rows in memory" in err


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_draws_on_a_terminal_only() -> None:
    tty = _Tty()
    bar = Progress("reading d.csv", 200e6, stream=tty)
    bar.update(50e6)
    bar.close()
    text = tty.getvalue()
    assert "\rreading d.csv [#######.......................]  25%  50/200 MB" in text
    plain = io.StringIO()
    bar = Progress("reading", 10, stream=plain)
    bar.update(5)
    bar.close()
    assert plain.getvalue() == ""


def test_types_that_change_late_in_the_file_are_promoted_as_in_memory(tmp_path: Path) -> None:
    # The sensitive column looks numeric for 30k rows, then holds text; the score is an
    # integer until the last row. Streamed blocks are read with the whole file's types.
    lines = ["y,score,g"] + [f"{i % 2},{(i // 2) % 2},{i % 3}" for i in range(30_000)]
    lines.append("1,0.5,x")
    (tmp_path / "mixed.csv").write_text("\n".join(lines) + "\n")
    args = ["audit", str(tmp_path / "mixed.csv"), "--label", "y", "--score", "score",
            "--sensitive", "g"]  # fmt: skip
    assert main([*args, "--json", str(tmp_path / "a.json")]) == 0
    assert main([*args, "--chunk-rows", "1000", "--json", str(tmp_path / "b.json")]) == 0
    a, b = load(tmp_path / "a.json"), load(tmp_path / "b.json")
    assert a["reports"][0]["report"]["sensitive"] == [{"name": "g", "levels": ["0", "1", "2", "x"]}]
    assert a["reports"][0]["report"]["values"] == b["reports"][0]["report"]["values"]
    assert a["lineage"]["data"] == b["lineage"]["data"]
