"""The one exception a user's mistake becomes.

An InputError says, in French, which file, which row or field, what is wrong and what to do. The CLI
prints it and exits 2; the app shows it beside the input that caused it.
"""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    def __init__(self, message: str, *, file: str | Path | None = None, where: str | None = None,
                 fix: str | None = None, field: str | None = None):
        self.message = message
        self.file = str(file) if file is not None else None
        self.where = where
        self.fix = fix
        self.field = field
        super().__init__(self.__str__())

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(f"{self.file}")
        if self.where:
            parts.append(self.where)
        head = " — ".join(parts)
        text = f"{head} : {self.message}" if head else self.message
        if self.fix:
            text += f" {self.fix}"
        return text


class InputErrors(InputError):
    """Several problems found in one file: all are reported at once so the user fixes them in one go."""

    MAX_SHOWN = 20

    def __init__(self, errors: list[InputError], *, file: str | Path | None = None):
        self.errors = errors
        shown = "\n".join(f"  - {e.where + ' : ' if e.where else ''}{e.message}"
                          f"{' ' + e.fix if e.fix else ''}" for e in errors[: self.MAX_SHOWN])
        more = len(errors) - self.MAX_SHOWN
        if more > 0:
            shown += f"\n  … et {more} autre(s) problème(s)."
        super().__init__(f"{len(errors)} problème(s) à corriger :\n{shown}", file=file)
