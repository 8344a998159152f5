"""``aequa audit``: group metrics of a predictions file, as a bundle JSON and an HTML dashboard."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

import numpy as np

from aequa.cli._errors import EXIT_OK, CliError, echo

DEFAULT_METRICS = [
    "selection_rate",
    "accuracy_score",
    "true_positive_rate",
    "false_positive_rate",
    "precision_score",
    "count",
]

_HELP = """Compute metrics overall and per sensitive group for a CSV or Parquet file of labels and
predictions (or scores, or a native model's scores), and write the dashboard bundle (JSON, with
lineage), the single-file HTML dashboard and PNG plots (--plots DIR; under DIR/plots/ with --out
when matplotlib is installed). Files larger than the memory cap are streamed."""


def comma_list(text: str) -> list[str]:
    """``"a,b"`` → ``["a", "b"]``."""
    items = [t.strip() for t in text.split(",") if t.strip()]
    if not items:
        raise argparse.ArgumentTypeError("expected one or more comma-separated names")
    return items


def add_data_options(p: argparse.ArgumentParser) -> None:
    """The memory options shared by every command that reads data."""
    p.add_argument(
        "--memory-cap",
        type=float,
        metavar="MB",
        help="stream files that would not fit in this many MB (default: $AEQUA_MEMORY_CAP_MB "
        "or 1024)",
    )
    p.add_argument(
        "--chunk-rows", type=int, metavar="N", help="always stream, about N rows per chunk"
    )


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Register ``aequa audit`` and its options on the sub-command parsers."""
    p = sub.add_parser(
        "audit", help="group metrics of a predictions file → JSON bundle + HTML", description=_HELP
    )
    p.add_argument("data", metavar="DATA", help="CSV or Parquet file")
    p.add_argument("--label", required=True, metavar="COL", help="column of true labels")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--prediction", metavar="COL", help="column of predicted labels")
    src.add_argument("--score", metavar="COL", help="column of scores (see --threshold)")
    src.add_argument(
        "--model",
        metavar="FILE",
        help="native model JSON (aequa.explain.to_native(m).to_json()) scored in Rust",
    )
    p.add_argument(
        "--features",
        type=comma_list,
        metavar="COL[,COL]",
        help="the model's feature columns in order (default: every other column)",
    )
    p.add_argument(
        "--threshold",
        type=float,
        metavar="T",
        help="score >= T is a positive decision (default 0.5)",
    )
    p.add_argument("--pos-label", metavar="V", help="the positive label (default 1)")
    p.add_argument(
        "--sensitive",
        required=True,
        type=comma_list,
        metavar="COL[,COL]",
        help="sensitive column(s); several give intersectional groups",
    )
    p.add_argument(
        "--metrics",
        type=comma_list,
        default=DEFAULT_METRICS,
        metavar="M[,M]",
        help=f"built-in metrics (default: {','.join(DEFAULT_METRICS)})",
    )
    p.add_argument("--bootstrap", type=int, metavar="N", help="bootstrap replicates for 95%% CIs")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="bootstrap seed (default 0)")
    p.add_argument("--title", default=None, help="the report's title")
    p.add_argument("--out", metavar="DIR", help="write DIR/audit.json and DIR/audit.html")
    p.add_argument("--json", metavar="OUT.json", help="write the bundle JSON here")
    p.add_argument("--html", metavar="OUT.html", help="write the single-file HTML dashboard here")
    plots = p.add_mutually_exclusive_group()
    plots.add_argument(
        "--plots",
        metavar="DIR",
        help="write PNG plots here: metric_<m>.png (bars per group with intervals) per metric "
        "and, with --score or --model, threshold_<m>.png (trade-off curves); needs matplotlib "
        "(pip install 'aequa[plot]'). Default with --out: DIR/plots/ when matplotlib is "
        "installed",
    )
    plots.add_argument("--no-plots", action="store_true", help="write no PNG plots")
    p.add_argument(
        "--embed-rows",
        type=int,
        default=100_000,
        metavar="N",
        help="embed label/score/sensitive columns for the dashboard's threshold slider when "
        "the file has at most N rows (default 100000; 0 never)",
    )
    add_data_options(p)
    return p


def parse_pos_label(text: str | None) -> Any:
    """``"1"`` → 1, ``"1.5"`` → 1.5, ``"yes"`` → ``"yes"``."""
    if text is None:
        return None
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def run(args: argparse.Namespace) -> int:
    """Run ``aequa audit``; returns the exit code (raises ``CliError`` for exit code 2)."""
    from aequa.audit import Audit, lineage
    from aequa.cli import _plots
    from aequa.cli._data import DataSpec, compute
    from aequa.cli._io import Table, memory_cap_mb

    json_path, html_path = args.json, args.html
    plots_dir = args.plots
    if plots_dir is not None:
        _plots.require("--plots")
    elif args.out and not args.no_plots and _plots.available():
        plots_dir = os.path.join(args.out, "plots")
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        json_path = json_path or os.path.join(args.out, "audit.json")
        html_path = html_path or os.path.join(args.out, "audit.html")
    if not json_path and not html_path and plots_dir is None:
        raise CliError("--out, --json, --html, --plots: say where to write the report")
    if plots_dir is not None:
        _plots.make_dir(plots_dir, "--plots")
    if args.bootstrap is not None and args.bootstrap < 1:
        raise CliError(f"--bootstrap: expected a positive number, found {args.bootstrap}")
    if args.chunk_rows is not None and args.chunk_rows < 1:
        raise CliError(f"--chunk-rows: expected a positive number, found {args.chunk_rows}")
    table = Table(
        args.data, memory_cap_mb=memory_cap_mb(args.memory_cap), chunk_rows=args.chunk_rows
    )
    spec = DataSpec(
        label=args.label,
        sensitive=args.sensitive,
        prediction=args.prediction,
        score=args.score,
        model=args.model,
        features=args.features,
        threshold=args.threshold,
        pos_label=parse_pos_label(args.pos_label),
    )
    from aequa.metrics import __all__ as known

    unknown = [m for m in args.metrics if m not in known or m == "builtin_name"]
    if unknown:
        raise CliError(
            f"--metrics: unknown metric {unknown[0]!r}; built-in metrics: "
            + ", ".join(k for k in known if k != "builtin_name")
        )
    frame = compute(table, spec, list(args.metrics), n_boot=args.bootstrap, seed=args.seed)
    params = {
        "command": "audit",
        "data": os.path.basename(args.data),
        **spec.parameters(),
        "metrics": list(args.metrics),
        "bootstrap": args.bootstrap,
        "streamed": frame.streamed,
    }
    lin = lineage(
        model=frame.model,
        data=frame.data,
        parameters=params,
        seed=args.seed if args.bootstrap else None,
    )
    audit = Audit(
        [("Group metrics", frame.metric_frame)],
        title=args.title or f"aequa audit of {os.path.basename(args.data)}",
        lineage=lin,
        data=_embedded(frame, spec, args.embed_rows),
    )
    if json_path:
        _write(json_path, lambda p: audit.to_json(p))
    if html_path:
        try:
            _write(html_path, audit.save_html)
        except FileNotFoundError as e:
            raise CliError(f"--html: {e}") from None
    if plots_dir is not None:
        written = _plots.audit_plots(frame, spec, list(args.metrics), plots_dir)
        sys.stderr.write(f"aequa audit: {len(written)} plots written to {plots_dir}\n")
    summary = audit.to_pandas()
    echo(summary.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    for w in frame.metric_frame.warnings[:5]:
        sys.stderr.write(f"aequa audit: warning: {w}\n")
    return EXIT_OK


def _embedded(frame: Any, spec: Any, limit: int) -> dict[str, Any] | None:
    from aequa.audit import Audit

    if frame.streamed or frame.y_true is None or limit <= 0 or len(frame.y_true) > limit:
        return None
    from aequa._inputs import level_label

    columns: dict[str, Any] = {spec.label: np.asarray(frame.y_true, dtype=np.float64)}
    for name, values in (frame.sensitive or {}).items():
        columns[name] = np.array([level_label(v) for v in values], dtype=object)
    score = prediction = None
    if spec.prediction is not None:
        prediction = spec.prediction
        columns[prediction] = np.asarray(frame.y_pred, dtype=np.float64)
    else:
        score = spec.score or ("score" if "score" not in columns else "aequa_score")
        columns[score] = np.asarray(frame.y_pred, dtype=np.float64)
    return Audit.data_entry(
        columns,
        label=spec.label,
        sensitive=spec.sensitive,
        score=score,
        prediction=prediction,
        threshold=spec.decision_threshold(),
        pos_label=1 if spec.pos_label is None else spec.pos_label,
    )


def _write(path: str, write: Any) -> None:
    try:
        write(path)
    except FileNotFoundError:
        if os.path.isdir(os.path.dirname(os.path.abspath(path))):
            raise  # a missing input of the writer, not the output folder
        raise CliError(f"{path}: cannot write (no such folder)") from None
    except OSError as e:
        raise CliError(f"{path}: cannot write ({e.strerror or e})") from None
