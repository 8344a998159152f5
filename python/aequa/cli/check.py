"""``aequa check``: evaluate a TOML policy on a data file; exit 1 on any violation."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

from aequa.cli._errors import EXIT_OK, EXIT_VIOLATION, CliError, echo

_HELP = """Evaluate a policy file (TOML: [data] columns, [[check]] metric thresholds, [[drift]]
limits against a reference file, [[robustness]] limits of a native model) on DATA. Prints one
line per check, writes JSON and JUnit XML, exits 0 when every check passes, 1 on a violation,
2 on bad input or an invalid policy (one line naming the file, line and key)."""


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Register ``aequa check`` and its options on the sub-command parsers."""
    from aequa.cli.audit import add_data_options

    p = sub.add_parser(
        "check", help="evaluate a policy file; exit 1 on violations", description=_HELP
    )
    p.add_argument("data", metavar="DATA", help="CSV or Parquet file")
    p.add_argument("--policy", required=True, metavar="aequa.toml", help="the policy file")
    p.add_argument("--junit", metavar="OUT.xml", help="write JUnit XML (one testcase per check)")
    p.add_argument("--json", metavar="OUT.json", help="write the results as JSON (for aequa diff)")
    p.add_argument(
        "--plots",
        metavar="DIR",
        help="write one PNG per check: check_<id>.png (group values as bars, the bound as a "
        "line), drift_<id>.png, robustness_<id>.png; needs matplotlib (pip install "
        "'aequa[plot]')",
    )
    add_data_options(p)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``aequa check``; returns the exit code (raises ``CliError`` for exit code 2)."""
    from aequa.audit import lineage
    from aequa.cli import _evaluate, _policy
    from aequa.cli._data import compute
    from aequa.cli._io import Table, memory_cap_mb

    started = time.perf_counter()
    if args.plots is not None:
        from aequa.cli import _plots

        _plots.require("--plots")
        _plots.make_dir(args.plots, "--plots")
    policy = _policy.load(args.policy)
    cap = memory_cap_mb(args.memory_cap)
    if args.chunk_rows is not None and args.chunk_rows < 1:
        raise CliError(f"--chunk-rows: expected a positive number, found {args.chunk_rows}")
    table = Table(args.data, memory_cap_mb=cap, chunk_rows=args.chunk_rows)
    frame = compute(
        table,
        policy.data,
        _evaluate.needed_metrics(policy),
        n_boot=policy.bootstrap,
        seed=policy.seed,
        min_group_size=policy.min_group_size,
    )
    results = []
    for c in policy.checks:
        start = time.perf_counter()
        if c.table == "check":
            result = _evaluate.evaluate_check(policy, c, frame)
        elif c.table == "drift":
            result = _evaluate.evaluate_drift(policy, c, frame, cap)
        else:
            result = _evaluate.evaluate_robustness(policy, c, frame)
        result["seconds"] = round(time.perf_counter() - start, 6)
        results.append(result)
    failed = [r for r in results if not r["passed"]]
    spec = policy.data
    params = {
        "command": "check",
        "policy": os.path.basename(args.policy),
        "data": os.path.basename(args.data),
        **spec.parameters(),
        "streamed": frame.streamed,
    }
    lin = lineage(model=frame.model, data=frame.data, parameters=params, seed=policy.seed)
    doc = {
        "schema": "aequa.check",
        "schema_version": 1,
        "policy": args.policy,
        "data": args.data,
        "passed": not failed,
        "summary": {
            "checks": len(results),
            "passed": len(results) - len(failed),
            "failed": len(failed),
        },
        "checks": results,
        "metric_frame": frame.metric_frame.report,
        "lineage": lin,
    }
    if args.json:
        _write(args.json, json.dumps(doc, indent=2, allow_nan=False, default=_nan))
    if args.junit:
        from aequa.cli import _junit

        props = {
            "policy": args.policy,
            "data": args.data,
            "data_fingerprint": frame.data["fingerprint"],
            "rows": frame.data["rows"],
            "aequa_version": lin["library_version"],
        }
        if frame.model:
            props["model_fingerprint"] = frame.model["fingerprint"]
        try:
            _junit.write(
                args.junit,
                f"aequa check {os.path.basename(args.policy)}",
                results,
                props,
                seconds=time.perf_counter() - started,
            )
        except OSError as e:
            raise CliError(f"{args.junit}: cannot write ({e.strerror or e})") from None
    if args.plots is not None:
        written = _plots.check_plots(results, frame, spec, args.plots)
        sys.stderr.write(f"aequa check: {len(written)} plots written to {args.plots}\n")
    for r in results:
        mark = "PASS" if r["passed"] else "FAIL"
        echo(f"{mark}  {r['id']}: {r['message']}")
    echo(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    if failed:
        sys.stderr.write(f"aequa check: {len(failed)} of {len(results)} checks failed\n")
        return EXIT_VIOLATION
    return EXIT_OK


def _nan(x: Any) -> Any:
    return None


def _write(path: str, text: str) -> None:
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        raise CliError(f"{path}: cannot write ({e.strerror or e})") from None
