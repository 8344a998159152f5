"""Names a package loads on first use (PEP 562 module ``__getattr__`` and ``__dir__``).

``aequa`` and ``aequa.testing`` use it so that importing the pytest plugin (at every pytest
start) loads neither the compiled extension, numpy nor pandas.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any


def attach(
    package: str, exports: Mapping[str, Iterable[str]], submodules: Iterable[str] = ()
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``: ``exports`` maps a module to the names it
    gives the package; ``submodules`` are imported by name. A loaded name is cached on the
    package, so the lookup runs once per name."""
    origin = {name: module for module, names in exports.items() for name in names}
    subs = frozenset(submodules)

    def __getattr__(name: str) -> Any:
        if name in subs:
            return importlib.import_module(f"{package}.{name}")
        module = origin.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *origin, *subs})

    return __getattr__, __dir__
