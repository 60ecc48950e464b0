"""Helpers shared by the sub-commands: notes on stderr, CSV output to a file or stdout."""

from __future__ import annotations

import sys

import pandas as pd

from outreach import atomic, cells


def print_notes(notes: list[str]) -> None:
    for note in notes:
        print(f"Note : {note}", file=sys.stderr)


def emit_text(text: str, out: str | None) -> None:
    """Write `text` to `out` atomically, or to stdout when `out` is None or '-'."""
    if out in (None, "-"):
        sys.stdout.write(text)
    else:
        atomic.write_text(out, text)


def emit_csv(frame: pd.DataFrame, out: str | None, float_format: str | None = None) -> None:
    emit_text(cells.safe_frame(frame).to_csv(index=False, float_format=float_format, lineterminator="\n"), out)
