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
    emit_text(frame.to_csv(index=False, float_format=float_format, lineterminator="\n"), out)


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
