"""Helpers shared by the sub-commands: notes on stderr, CSV output to a file or stdout."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    import pandas as pd


def print_notes(notes: list[str]) -> None:
    for note in notes:
        print(f"Note : {note}", file=sys.stderr)


def emit_text(text: str, out: str | None) -> None:
    """Write `text` to `out` atomically, or to stdout when `out` is None or '-'."""
    if out in (None, "-"):
        sys.stdout.write(text)
    else:
        from outreach import atomic  # not at the top: `outreach --help` does not need it

        atomic.write_text(out, text)


def emit_csv(frame: pd.DataFrame, out: str | None, float_format: str | None = None) -> None:
    from outreach import cells  # formula-like values marked as text (cells.py)

    emit_text(cells.safe_frame(frame).to_csv(index=False, float_format=float_format, lineterminator="\n"), out)


def csv_text(frame: pd.DataFrame, float_format: str = "%.3f") -> str:
    """The CSV `emit_csv` writes, for frames of text, floats and integers, ten times as fast: pandas formats
    floats one Python call at a time; here every column becomes text first (empty where a value is
    missing, as pandas writes it), quoted where a field needs it, then the rows are joined."""
    import csv
    import io

    import numpy as np
    import pandas as pd

    from outreach import cells  # formula-like values marked as text (cells.py)

    columns = []
    for name in frame.columns:
        column = frame[name]
        missing = column.isna().to_numpy(dtype=bool)
        if column.dtype.kind == "f":
            texts = [float_format % v for v in column.to_numpy(dtype=float).tolist()]
        elif column.dtype.kind in "iu" or str(column.dtype) in ("Int64", "Int32"):
            texts = [str(v) for v in column.to_numpy(dtype=object).tolist()]
        elif pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty"):
            # text as it is; a spreadsheet's formula marker only where a value starts like a formula, found
            # for the whole column at once (a Python call per value was half of this function's time)
            texts = column.to_numpy(dtype=object).tolist()
            for at in np.flatnonzero(column.str.startswith(cells.FORMULA_TRIGGERS, na=False).to_numpy(dtype=bool)):
                texts[at] = cells.safe(texts[at])
        elif column.dtype.kind in "OSUT":  # Python objects that are not all text: each written as str() writes it
            texts = ["" if v is None else cells.safe(str(v)) for v in column.to_numpy(dtype=object).tolist()]
        else:  # dates, categories…: pandas' own text
            return cells.safe_frame(frame).to_csv(index=False, float_format=float_format, lineterminator="\n")
        if missing.any():
            texts = np.where(missing, "", np.asarray(texts, dtype=object)).tolist()
        columns.append(texts)
    header = [str(c) for c in frame.columns]
    quoted = [_quoted_fields(texts) for texts in (header, *columns)]
    if any(texts is None for texts in quoted):  # a line break inside a value: the csv module's rules
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(zip(*columns, strict=True))
        return buffer.getvalue()
    # every field is plain or quoted: the rows joined in C (the csv module's own writer looks at
    # each character of each field, a third of this function's time on the national files)
    header, *columns = quoted
    return "\n".join([",".join(header), *map(",".join, zip(*columns, strict=True))]) + "\n"


def _quoted_fields(texts: list[str]) -> list[str] | None:
    """`texts` as the fields of comma-separated rows, quoted as the csv module quotes them (a comma or a quote
    inside; quotes doubled); None when one holds a line break, which the csv module alone writes (its rule for
    a carriage return differs between Python versions)."""
    joined = "\x00".join(texts)  # one look at the whole column, in C
    if "\n" in joined or "\r" in joined:
        return None
    if "," not in joined and '"' not in joined:
        return texts
    return ['"' + text.replace('"', '""') + '"' if "," in text or '"' in text else text for text in texts]


@contextmanager
def output_text(out: str | None) -> Iterator[TextIO]:
    """A text stream to `out`, replacing it only once everything is written (stdout when None or '-'): for
    outputs written as they are computed, too long to hold in memory."""
    if out in (None, "-"):
        yield sys.stdout
        return
    from outreach import atomic

    with atomic.open_for_writing(out) as f:
        yield f
