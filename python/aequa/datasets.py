"""Bundled benchmark datasets; nothing is downloaded at run time."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import numpy as np

__all__ = ["load_adult"]

ADULT_COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education_num", "marital_status",
    "occupation", "relationship", "race", "sex", "capital_gain", "capital_loss",
    "hours_per_week", "native_country", "income",
]  # fmt: skip
_INT_COLUMNS = [
    "age", "fnlwgt", "education_num", "capital_gain", "capital_loss", "hours_per_week",
]  # fmt: skip
_FILES = {"train": "adult.data.gz", "test": "adult.test.gz"}
_SUBSETS = ("train", "test", "all")


def _candidate_dirs() -> list[Path]:
    """Folders that may hold the Adult files, in the order they are tried."""
    dirs = []
    env = os.environ.get("AEQUA_DATA_DIR")
    if env:
        dirs += [Path(env) / "adult", Path(env)]
    here = Path(__file__).resolve().parent
    dirs.append(here / "_data" / "adult")
    dirs += [parent / "data" / "adult" for parent in here.parents]
    return dirs


def _find_adult_dir() -> Path:
    tried = _candidate_dirs()
    for folder in tried:
        if all((folder / name).is_file() for name in _FILES.values()):
            return folder
    looked = "\n  ".join(str(folder) for folder in tried)
    raise FileNotFoundError(
        f"Could not find {' and '.join(_FILES.values())}. Looked in:\n  {looked}\n"
        "Set the AEQUA_DATA_DIR environment variable to a folder that contains "
        "adult/adult.data.gz and adult/adult.test.gz (e.g. the data/ folder of an "
        "aequa source checkout)."
    )


def _read_split(path: Path, *, is_test: bool) -> pd.DataFrame:
    dtypes = {c: "int64" if c in _INT_COLUMNS else "string" for c in ADULT_COLUMNS}
    frame = pd.read_csv(
        path,
        header=None,
        names=ADULT_COLUMNS,
        dtype=dtypes,
        skiprows=1 if is_test else 0,  # adult.test opens with "|1x3 Cross validator"
        skipinitialspace=True,
        keep_default_na=False,
        na_values=["?"],
    )
    for col in frame.columns.difference(_INT_COLUMNS):
        frame[col] = frame[col].str.strip().replace("?", pd.NA)
    frame["income"] = frame["income"].str.rstrip(".")  # test labels read ">50K."
    return frame


def load_adult(subset: str = "all", *, as_frame: bool = True) -> pd.DataFrame | np.recarray:
    """Load the UCI Adult census income dataset from the bundled copy.

    Parameters
    ----------
    subset : {"train", "test", "all"}, default "all"
        ``"train"`` is ``adult.data`` (32,561 rows), ``"test"`` is
        ``adult.test`` (16,281 rows) and ``"all"`` stacks train then test.
    as_frame : bool, default True
        If False, return ``DataFrame.to_records(index=False)`` instead: a
        NumPy record array with the same columns.

    Returns
    -------
    pandas.DataFrame or numpy.recarray
        One row per person with snake_case columns ``age`` ... ``native_country``,
        ``income`` (``"<=50K"`` or ``">50K"``) and the int column ``label``
        (1 when income is ``">50K"``). Unknown values (``"?"``) are ``pd.NA``.

    Raises
    ------
    ValueError
        If `subset` is not one of ``"train"``, ``"test"``, ``"all"``.
    FileNotFoundError
        If the data files cannot be found; set ``AEQUA_DATA_DIR`` to fix it.

    Notes
    -----
    Files are searched in ``$AEQUA_DATA_DIR/adult/`` (or ``$AEQUA_DATA_DIR``),
    then ``_data/adult/`` next to this module, then ``data/adult/`` in any
    folder above this module (a source checkout).

    Examples
    --------
    >>> from aequa.datasets import load_adult
    >>> train = load_adult("train")
    >>> train.shape
    (32561, 16)
    >>> sorted(train["income"].unique())
    ['<=50K', '>50K']
    >>> round(float(train["label"].mean()), 4)
    0.2408
    """
    if subset not in _SUBSETS:
        allowed = ", ".join(map(repr, _SUBSETS))
        raise ValueError(f"subset must be one of {allowed}; got {subset!r}")
    folder = _find_adult_dir()
    splits = ["train", "test"] if subset == "all" else [subset]
    frame = pd.concat(
        [_read_split(folder / _FILES[name], is_test=name == "test") for name in splits],
        ignore_index=True,
    )
    frame["label"] = (frame["income"] == ">50K").astype("int64")
    return frame if as_frame else frame.to_records(index=False)
