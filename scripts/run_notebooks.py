"""Execute every notebook in a folder (outputs are not written back) and report
``N passed, N failed``. A notebook fails when any cell raises — notebooks assert what their
prose claims, so this is a test layer."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def main(folder: str) -> int:
    notebooks = sorted(Path(folder).glob("*.ipynb"))
    if not notebooks:
        print(f"no notebooks found in {folder}")
        print("0 passed, 1 failed")
        return 1
    passed = failed = 0
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        if any(cell.get("outputs") for cell in nb.cells if cell.cell_type == "code"):
            print(f"FAIL {path}: outputs must be stripped before committing")
            failed += 1
            continue
        start = time.perf_counter()
        try:
            NotebookClient(
                nb,
                timeout=600,
                kernel_name="python3",
                resources={"metadata": {"path": str(path.parent)}},
            ).execute()
        except Exception as exc:  # any cell error fails this notebook
            print(f"FAIL {path}: {type(exc).__name__}: {str(exc)[-2000:]}")
            failed += 1
            continue
        print(f"ok   {path} ({time.perf_counter() - start:.1f} s)")
        passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "notebooks"))
