"""France's general elections and the pre-election period of Code électoral art. L.52-1, paragraph 2.

The rule, as written: from the first day of the sixth month before the month in which the election is held,
no advertising campaign promoting a collectivity's achievements or management. The period therefore starts on
the 1st of a month (an election in April 2027 → 1 October 2026) and lasts until the last round. While the
decree has not fixed the rounds, the period is taken to the end of the election's month, and said so.

The shipped calendar (data/elections.yaml) is the default; the network's settings keep an edited copy. A date
of election typed in a campaign file or in the old settings field (`election_date`) counts as one more.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from outreach import paths
from outreach.errors import InputError
from outreach.yamlfile import read_yaml, validation_error

RULE = "Code électoral, art. L.52-1, al. 2"


class Election(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str = Field(min_length=1)
    month: str  # "AAAA-MM": the month of the first round
    rounds: list[date] = Field(default_factory=list)
    confirmed: bool = False
    source: str = ""

    @field_validator("month", mode="before")
    @classmethod
    def _month(cls, value):
        if isinstance(value, date):
            value = f"{value:%Y-%m}"
        text = str(value).strip()
        try:
            year, month = (int(x) for x in text.split("-"))
            date(year, month, 1)
        except ValueError as exc:
            raise ValueError(f"mois « {text} » illisible : écrivez AAAA-MM (par ex. 2027-04)") from exc
        return f"{year:04d}-{month:02d}"

    @model_validator(mode="after")
    def _rounds_in_order(self):
        self.rounds = sorted(self.rounds)
        if self.rounds and f"{self.rounds[0]:%Y-%m}" != self.month:
            raise ValueError(f"le premier tour ({self.rounds[0]:%d/%m/%Y}) n'est pas dans le mois {self.month}")
        return self

    @property
    def first_month(self) -> date:
        year, month = (int(x) for x in self.month.split("-"))
        return date(year, month, 1)

    def period(self) -> tuple[date, date]:
        """(first day of the ban, last day): L.52-1 al. 2, to the last round (or the month's end if unknown)."""
        first = self.first_month
        months = first.year * 12 + first.month - 1 - 6
        opens = date(months // 12, months % 12 + 1, 1)
        if self.rounds:
            return opens, self.rounds[-1]
        return opens, date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])

    def describe(self) -> str:
        if self.rounds:
            when = " et ".join(f"{d:%d/%m/%Y}" for d in self.rounds)
            tours = "tours" if len(self.rounds) > 1 else "tour"
            return f"élections {self.type} ({tours} le {when})"
        return f"élections {self.type} ({_month_name(self.first_month)}, dates à fixer par décret)"


MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]


def _month_name(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


class ElectionCalendar(BaseModel):
    model_config = ConfigDict(extra="ignore")

    elections: list[Election] = Field(default_factory=list)


def calendar_file() -> Path:
    return paths.data_dir() / "elections.yaml"


def shipped_calendar(path: str | Path | None = None) -> list[Election]:
    path = Path(path or calendar_file())
    try:
        return ElectionCalendar.model_validate(read_yaml(path) or {}).elections
    except ValidationError as exc:
        raise validation_error(exc, file=path, fix="Corrigez le calendrier des élections.") from exc


def single_date(day: date, label: str = "générales") -> Election:
    """An election known by one date (the `election_date` field of a campaign or of older settings): taken as
    a first round with a second one a week later, as municipal and legislative elections have."""
    return Election(type=label, month=f"{day:%Y-%m}", rounds=[day, day + timedelta(days=7)], confirmed=True,
                    source="date saisie dans la campagne ou les Paramètres")


def overlapping(start: date, end: date, elections: list[Election]) -> list[tuple[Election, date, date]]:
    """The elections whose pre-election period meets the campaign's dates, with that period."""
    found = []
    for election in elections:
        opens, closes = election.period()
        if start <= closes and end >= opens:
            found.append((election, opens, closes))
    return found


# the columns of the calendar as the Paramètres page shows them
COLUMN_LABELS = {"type": "Élection", "month": "Mois du 1er tour (AAAA-MM)", "first": "1er tour", "second": "2d tour",
                 "confirmed": "Dates fixées", "source": "Source"}


def _a_date(value) -> date | None:
    if value is None or value != value:  # None, or a NaN/NaT left by an empty cell
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def elections_from_rows(rows: list[dict]) -> list[Election]:
    """Rows {type, month, first, second, confirmed, source} (the edited calendar) as elections; the first bad
    row is an InputError naming its number and column; wholly empty rows are dropped."""
    found = []
    for number, row in enumerate(rows, start=1):
        if not str(row.get("type") or "").strip() and not str(row.get("month") or "").strip():
            continue
        try:
            rounds = [d for d in (_a_date(row.get("first")), _a_date(row.get("second"))) if d]
            found.append(Election(type=str(row.get("type") or "").strip(), month=str(row.get("month") or ""),
                                  rounds=rounds, confirmed=bool(row.get("confirmed")),
                                  source=str(row.get("source") or "").strip()))
        except ValidationError as exc:
            first = exc.errors()[0]
            column = COLUMN_LABELS.get(str(first["loc"][0]) if first["loc"] else "", "tours")
            message = str(first["msg"]).removeprefix("Value error, ")
            raise InputError(f"{message}.", where=f"calendrier des élections, ligne {number}", field=column,
                             fix="Corrigez la ligne ou supprimez-la.") from exc
        except ValueError as exc:
            raise InputError("date illisible.", where=f"calendrier des élections, ligne {number}", field="tours",
                             fix="Choisissez la date dans le calendrier.") from exc
    return found
