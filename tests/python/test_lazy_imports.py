"""The pytest plugin loads at every pytest start, so importing it must not pull in the compiled
extension, numpy or pandas; ``aequa`` and ``aequa.testing`` load their names on first use."""

from __future__ import annotations

import subprocess
import sys
from types import ModuleType

import aequa
import aequa.testing
import pytest

HEAVY = ("aequa._core", "numpy", "pandas")


def loaded_after(statement: str) -> list[str]:
    """The heavy modules a fresh interpreter holds after ``import pytest`` and ``statement``."""
    code = f"import sys, pytest\n{statement}\nprint(*[m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_plugin_import_loads_nothing_heavy() -> None:
    assert loaded_after("import aequa.testing.plugin") == []


def test_first_use_loads_the_extension() -> None:
    assert loaded_after("import aequa\naequa.MetricFrame") == list(HEAVY)
    assert loaded_after("from aequa.testing import assert_fairness") == list(HEAVY)


@pytest.mark.parametrize("package", [aequa, aequa.testing], ids=["aequa", "aequa.testing"])
def test_every_public_name_resolves(package: ModuleType) -> None:
    names = set(package.__all__)
    lazy = set(package._ORIGIN)
    missing = names - lazy - {"drift", "robust"}
    assert not missing, f"add {sorted(missing)} to _EXPORTS in {package.__name__}/__init__.py"
    for name in names:
        assert getattr(package, name) is not None
    assert names <= set(dir(package))


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="module 'aequa' has no attribute 'nope'"):
        aequa.nope  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(AttributeError, match="module 'aequa.testing' has no attribute 'nope'"):
        aequa.testing.nope  # type: ignore[attr-defined]  # noqa: B018
