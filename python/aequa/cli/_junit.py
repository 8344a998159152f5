"""JUnit XML, the format CI systems read: one ``<testcase>`` per check or compared metric.

Layout: ``<testsuites>`` → one ``<testsuite>`` (with ``<properties>``) → ``<testcase>``
elements, each passed, or holding one ``<failure message=... type=...>`` with the details.
"""

from __future__ import annotations

import datetime as _dt
import socket
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any


def write(
    path: str,
    suite: str,
    cases: Sequence[Mapping[str, Any]],
    properties: Mapping[str, Any],
    *,
    classname: str = "aequa",
    seconds: float = 0.0,
) -> None:
    """Write ``cases`` (``{"id", "passed", "message", "table"?, "seconds"?}``) as JUnit XML.

    ``seconds`` is the whole run's time (the suite's and the root's ``time``); each case's
    ``time`` is its own ``seconds``.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "out.xml")
    >>> write(path, "policy", [{"id": "dp", "passed": False, "message": "0.2 > max 0.1"}], {})
    >>> print(open(path).read().split("\\n")[1][:52])
    <testsuites name="aequa" tests="1" failures="1" erro
    """
    failures = sum(1 for c in cases if not c["passed"])
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    root = ET.Element(
        "testsuites",
        name="aequa",
        tests=str(len(cases)),
        failures=str(failures),
        errors="0",
        time=f"{seconds:.3f}",
    )
    ts = ET.SubElement(
        root,
        "testsuite",
        name=suite,
        tests=str(len(cases)),
        failures=str(failures),
        errors="0",
        skipped="0",
        time=f"{seconds:.3f}",
        timestamp=stamp,
        hostname=socket.gethostname() or "localhost",
    )
    props = ET.SubElement(ts, "properties")
    for k, v in properties.items():
        ET.SubElement(props, "property", name=str(k), value="" if v is None else str(v))
    for c in cases:
        group = c.get("table", "check")
        tc = ET.SubElement(
            ts,
            "testcase",
            name=str(c["id"]),
            classname=f"{classname}.{group}",
            time=f"{float(c.get('seconds', 0.0)):.3f}",
        )
        if not c["passed"]:
            first = str(c["message"]).split("; ")[0]
            fail = ET.SubElement(tc, "failure", message=first[:500], type="AssertionError")
            fail.text = str(c["message"])
        else:
            out = ET.SubElement(tc, "system-out")
            out.text = str(c["message"])
    ET.indent(root)
    tree = ET.ElementTree(root)
    with open(path, "wb") as f:
        tree.write(f, encoding="utf-8", xml_declaration=True)
        f.write(b"\n")
