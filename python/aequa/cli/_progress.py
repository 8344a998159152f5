"""A plain progress bar on stderr: no dependency, silent when stderr is not a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """``label [#####.....]  45%  120/260 MB`` redrawn in place at most ten times a second.

    Parameters
    ----------
    label : str
        What is being done ("reading data.csv").
    total : float
        The amount of work (bytes, rows); 0 or less shows a counter without a bar.
    unit : {"bytes", "rows"}
    stream : file, optional
        Where to draw (default ``sys.stderr``); nothing is drawn unless it is a TTY.

    Examples
    --------
    >>> import io
    >>> p = Progress("reading", 100, stream=io.StringIO())
    >>> p.update(50); p.close()
    >>> p.enabled
    False
    """

    def __init__(
        self, label: str, total: float, *, unit: str = "bytes", stream: TextIO | None = None
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.label, self.total, self.unit = label, float(total), unit
        self.done = 0.0
        self._last = 0.0

    def _fmt(self, v: float) -> str:
        return f"{v / 1e6:.0f}" if self.unit == "bytes" else f"{v:,.0f}"

    def update(self, done: float) -> None:
        """Set the amount done so far and redraw (throttled)."""
        self.done = float(done)
        now = time.monotonic()
        if not self.enabled or now - self._last < 0.1:
            return
        self._last = now
        suffix = " MB" if self.unit == "bytes" else " rows"
        if self.total > 0:
            frac = min(1.0, self.done / self.total)
            bar = "#" * int(frac * 30) + "." * (30 - int(frac * 30))
            text = f"{self.label} [{bar}] {frac:4.0%}  {self._fmt(self.done)}/"
            text += f"{self._fmt(self.total)}{suffix}"
        else:
            text = f"{self.label} {self._fmt(self.done)}{suffix}"
        self.stream.write("\r" + text[:120])
        self.stream.flush()

    def close(self) -> None:
        """Clear the line."""
        if self.enabled:
            self.stream.write("\r" + " " * 120 + "\r")
            self.stream.flush()
