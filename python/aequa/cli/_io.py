"""Reading CSV and Parquet files whole or chunk by chunk (pyarrow), with clear errors.

A file is *streamed* when ``--chunk-rows`` is given or when it would not fit the memory cap
(``--memory-cap`` MB, environment ``AEQUA_MEMORY_CAP_MB``, default 1024): its size on disk
(CSV) or its uncompressed size (Parquet) above a quarter of the cap. Streamed files are read
in chunks of about a sixteenth of the cap, so memory stays flat whatever the file size.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from aequa.cli._errors import CliError
from aequa.cli._progress import Progress

DEFAULT_CAP_MB = 1024.0


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.csv  # noqa: F401
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise CliError(
            "the aequa command reads CSV and Parquet with pyarrow, which is not installed; "
            "run: pip install 'aequa[cli]'"
        ) from None
    return pyarrow


def memory_cap_mb(value: float | None) -> float:
    """The cap from the option, else ``AEQUA_MEMORY_CAP_MB``, else 1024."""
    if value is None:
        env = os.environ.get("AEQUA_MEMORY_CAP_MB")
        if env:
            try:
                value = float(env)
            except ValueError:
                raise CliError(f"AEQUA_MEMORY_CAP_MB: expected megabytes, found {env!r}") from None
        else:
            value = DEFAULT_CAP_MB
    if not value > 0:
        raise CliError(f"--memory-cap: expected a positive number of MB, found {value}")
    return float(value)


class Table:
    """A data file: its columns and types, read whole or in chunks.

    Parameters
    ----------
    path : str
        A ``.csv`` (optionally ``.gz``) or ``.parquet`` / ``.pq`` file.
    memory_cap_mb : float
        See the module docstring.
    chunk_rows : int, optional
        Force streaming with this many rows per chunk.
    """

    def __init__(
        self, path: str, *, memory_cap_mb: float = DEFAULT_CAP_MB, chunk_rows: int | None = None
    ) -> None:
        pa = _pyarrow()
        self.path = path
        name = os.path.basename(path).lower()
        self.format = "parquet" if name.endswith((".parquet", ".pq")) else "csv"
        try:
            self.size = os.path.getsize(path)
        except OSError as e:
            raise CliError(f"{path}: cannot read the file ({e.strerror or e})") from None
        if self.size == 0:
            raise CliError(f"{path}: the file is empty")
        self.cap_bytes = memory_cap_mb * 1e6
        self.chunk_rows = chunk_rows
        try:
            if self.format == "parquet":
                self._pq = pa.parquet.ParquetFile(path)
                self.schema = self._pq.schema_arrow
                self.rows: int | None = self._pq.metadata.num_rows
                md = self._pq.metadata
                self.memory_size = sum(
                    md.row_group(i).total_byte_size for i in range(md.num_row_groups)
                )
            else:
                with self._csv_reader(None, 1 << 16) as reader:
                    self.schema = reader.schema
                self.rows = None
                self.memory_size = self.size
        except CliError:
            raise
        except (OSError, pa.ArrowException) as e:
            raise CliError(
                f"{path}: cannot read as {self.format.upper()} ({_first_line(e)})"
            ) from None
        if not self.schema.names:
            raise CliError(f"{path}: the file has no columns")
        self.streamed = chunk_rows is not None or self.memory_size > self.cap_bytes / 4

    @property
    def columns(self) -> list[str]:
        """Column names in file order."""
        return list(self.schema.names)

    def dtype(self, column: str) -> Any:
        """The Arrow type of a column."""
        return self.schema.field(column).type

    def require(self, columns: Sequence[str], where: str) -> None:
        """Fail (exit 2) naming ``where`` if a column is not in the file."""
        for c in columns:
            if c not in self.schema.names:
                shown = ", ".join(self.columns[:20]) + (", ..." if len(self.columns) > 20 else "")
                raise CliError(f"{where}: column '{c}' is not in {self.path} (columns: {shown})")

    def _csv_reader(self, columns: Sequence[str] | None, block_size: int) -> Any:
        import pyarrow.csv as pcsv

        read = pcsv.ReadOptions(block_size=int(block_size))
        convert = pcsv.ConvertOptions(include_columns=list(columns) if columns else None)
        return pcsv.open_csv(self.path, read_options=read, convert_options=convert)

    def read(self, columns: Sequence[str] | None = None) -> Any:
        """The whole file (or these columns) as a ``pyarrow.Table``."""
        pa = _pyarrow()
        try:
            if self.format == "parquet":
                table = self._pq.read(columns=list(columns) if columns else None)
            else:
                import pyarrow.csv as pcsv

                convert = pcsv.ConvertOptions(include_columns=list(columns) if columns else None)
                table = pcsv.read_csv(self.path, convert_options=convert)
        except (OSError, pa.ArrowException) as e:
            raise CliError(f"{self.path}: cannot read ({_first_line(e)})") from None
        if table.num_rows == 0:
            raise CliError(f"{self.path}: the file has a header but no rows")
        self.rows = table.num_rows
        return table

    def _chunk_bytes(self) -> int:
        return int(min(64e6, max(1e6, self.cap_bytes / 16)))

    def batches(
        self, columns: Sequence[str] | None = None, label: str = "reading"
    ) -> Iterator[Any]:
        """``pyarrow.RecordBatch`` chunks of the file (or of these columns), with progress."""
        pa = _pyarrow()
        progress = Progress(f"{label} {os.path.basename(self.path)}", self.size)
        n = 0
        try:
            if self.format == "parquet":
                rows = self.chunk_rows
                if rows is None:
                    per_row = max(1.0, self.memory_size / max(1, self.rows or 1))
                    rows = max(1024, int(self._chunk_bytes() / per_row))
                done = 0
                for batch in self._pq.iter_batches(
                    batch_size=rows, columns=list(columns) if columns else None
                ):
                    n += batch.num_rows
                    done += batch.num_rows
                    progress.update(self.size * done / max(1, self.rows or 1))
                    yield batch
            else:
                block = self._chunk_bytes()
                if self.chunk_rows is not None:
                    block = max(1 << 12, int(self.chunk_rows * self._bytes_per_row()))
                types = self._csv_types(block, progress)
                for batch, done in self._csv_chunks(columns, block, types):
                    n += batch.num_rows
                    progress.update(done)
                    yield batch
        except (OSError, pa.ArrowException) as e:
            raise CliError(f"{self.path}: cannot read ({_first_line(e)})") from None
        finally:
            progress.close()
        if n == 0:
            raise CliError(f"{self.path}: the file has a header but no rows")
        self.rows = n

    def _csv_types(self, block: int, progress: Progress) -> dict[str, Any]:
        """Every column's type over the whole file (a first pass), promoted as pyarrow's
        whole-file reader promotes: null → the other type, int64 with double → double,
        any other mix → string. Chunks read with these types agree with the in-memory read."""
        if getattr(self, "_types", None) is None:
            label = progress.label
            progress.label = f"typing {os.path.basename(self.path)}"
            types: dict[str, Any] = {}
            for batch, done in self._csv_chunks(None, block, None):
                for name, t in zip(batch.schema.names, batch.schema.types):
                    types[name] = _promote(types.get(name), t)
                progress.update(done)
            progress.label = label
            self._types = types
        return dict(self._types)

    def _csv_chunks(
        self, columns: Sequence[str] | None, block: int, types: dict[str, Any] | None
    ) -> Iterator[Any]:
        """Parse the CSV one block of lines at a time.

        pyarrow's streaming reader reads dozens of blocks ahead, so its memory grows with the
        block count; here exactly one block of raw text and its parsed table are alive at a
        time. Like pyarrow's readers (``newlines_in_values=False``), a line break always ends
        a row. Each block infers its own types unless ``types`` fixes them.
        """
        import pyarrow as pa
        import pyarrow.csv as pcsv

        read = pcsv.ReadOptions(use_threads=False)
        with pa.input_stream(self.path) as f:
            header = b""
            while not header.endswith(b"\n"):
                piece = f.read(1)
                if not piece:
                    break
                header += piece
            carry = b""
            done = len(header)
            while True:
                raw = f.read(block)
                done += len(raw)
                data = carry + raw if carry else raw
                if not raw:
                    chunk, carry = data, b""
                else:
                    cut = data.rfind(b"\n")
                    if cut < 0:
                        carry = data
                        continue
                    chunk, carry = data[: cut + 1], data[cut + 1 :]
                if chunk.strip():
                    convert = pcsv.ConvertOptions(
                        include_columns=list(columns) if columns else None, column_types=types
                    )
                    table = pcsv.read_csv(
                        pa.BufferReader(header + chunk), read_options=read, convert_options=convert
                    )
                    for batch in table.to_batches():
                        yield batch, done
                    del table
                if not raw:
                    break

    def _bytes_per_row(self) -> float:
        if not hasattr(self, "_bpr"):
            with open(self.path, "rb") as f:
                head = f.read(1 << 20)
            lines = max(1, head.count(b"\n") - 1)
            self._bpr = len(head) / lines
        return float(self._bpr)


def _promote(a: Any, b: Any) -> Any:
    import pyarrow as pa

    if a is None or a == b or pa.types.is_null(b):
        return b if a is None else a
    if pa.types.is_null(a):
        return b
    numeric = (pa.int64(), pa.float64())
    if a in numeric and b in numeric:
        return pa.float64()
    return pa.string()


def numpy_column(batch: Any, name: str) -> np.ndarray:
    """A column of a batch or table as numpy (text as an object array)."""
    col = batch.column(name)
    if hasattr(col, "combine_chunks"):
        col = col.combine_chunks()
    return col.to_numpy(zero_copy_only=False)


def numeric_matrix(batch: Any, names: Sequence[str], where: str) -> np.ndarray:
    """Feature columns as a float64 matrix; text columns are refused naming the column."""
    import pyarrow as pa

    out = np.empty((batch.num_rows, len(names)), dtype=np.float64)
    for j, name in enumerate(names):
        col = batch.column(name)
        t = col.type
        if not (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t)):
            raise CliError(
                f"{where}: feature column '{name}' has type {t}; a native model takes numeric "
                "columns (encode it first, or list only numeric columns in --features)"
            )
        out[:, j] = np.asarray(col.to_numpy(zero_copy_only=False), dtype=np.float64)
    return out


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__
