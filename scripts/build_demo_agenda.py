"""Assemble the demonstration agenda data/samples/agenda-demo.json from real OpenAgenda records.

Usage: python scripts/build_demo_agenda.py [--source ../shared/data/events] [--out data/samples/agenda-demo.json]

What is real: every title, description, keyword list, place name and coordinates, copied from the
OpenAgenda / Opendatasoft exports listed in data/SOURCES.md. What is arranged: (1) the dates — each
event is moved to a date from December 2026 on (one every four days), keeping its time of day, with the
original date kept in `original_firstdate_begin`; (2) the branch — four events really took place in
a shipped library (Marguerite Duras, Hergé, Crimée, Forney) and keep it; the others are given to one of
the demonstration branches, written in `branch_id` with `arranged_branch: true`.
The output is deterministic.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from outreach import atomic  # noqa: E402

# (file, title prefix, branch id, branch arranged?)
SELECTION = [
    ("openagenda_evenements-a-paris_2015_40rec.json", "Under Kontrol", "10267", False),
    ("openagenda_evenements-a-paris_2018_100rec.json", "Constellations : le ciel dessiné", "10241", False),
    ("openagenda_evenements-a-paris_2018_100rec.json", "Grandir, pourquoi faire", "10229", False),
    ("openagenda_paris_q-Paris_100rec.json", "Déambulation et création - Quiz en images", "18964", False),
    ("openagenda_paris_q-Paris_100rec.json", "Play Paris 13", "17615", True),
    ("openagenda_paris_q-Paris_100rec.json", "JP Manova", "5425", True),
    ("openagenda_evenements-a-paris_2018_100rec.json", "La Grande semaine de la Petite Enfance", "19957", True),
    ("openagenda_paris_q-Paris_100rec.json", "Les Brasseries Parisiennes recrutent", "10267", True),
    ("openagenda_paris_q-Paris_100rec.json", "Journée Portes Ouvertes : Découvrez nos formations", "5425", True),
    ("openagenda_paris_q-Paris_100rec.json", "\"Le secret des galaxies\"", "17615", True),
    ("openagenda_evenements-a-paris_2015_40rec.json", "IOT Day", "10267", True),
    ("openagenda_evenements-a-paris_2018_100rec.json", "Tout près d'Alice", "5425", True),
    ("openagenda_paris_q-Paris_100rec.json", "Exposition Louis de Funès", "17615", True),
    ("openagenda_paris_q-Paris_100rec.json", "Projection du film \"Balada triste\"", "10267", True),
    ("openagenda_evenements-a-paris_2018_100rec.json", "Atelier Emploi Niveau 2", "19957", True),
    ("openagenda_evenements-a-paris_2018_100rec.json", "Images espaces, images mouvements", "19957", True),
    ("openagenda_evenements-a-paris_2015_40rec.json", "Lumière sur les plantes", "5425", True),
    ("openagenda_paris_q-Paris_100rec.json", "Exposition \"Toit(s) et moi\"", "19957", True),
    ("openagenda_paris_q-Paris_100rec.json", "Avant Mendeleïev", "17615", True),
    ("openagenda_paris_q-Paris_100rec.json", "Dentelle aux fuseaux", "10267", True),
]
FIRST_DAY = datetime(2026, 12, 2)
STEP_DAYS = 4  # one event every four days, so that the demonstration agenda spans about three months
# events whose title names their own day keep that day in December 2026
FIXED_DAYS = {"JP Manova": datetime(2026, 12, 8)}


def _find(source: Path, file: str, prefix: str) -> dict:
    doc = json.loads((source / file).read_text(encoding="utf-8"))
    for record in doc["records"]:
        f = record["fields"]
        if (f.get("title_fr") or f.get("title") or "").startswith(prefix):
            return f
    raise SystemExit(f"not found in {file}: {prefix}")


def _start(f: dict) -> datetime:
    if f.get("firstdate_begin"):
        return datetime.fromisoformat(f["firstdate_begin"])
    if f.get("timetable"):
        return datetime.fromisoformat(f["timetable"].split()[0])
    return datetime.fromisoformat(f["date_start"] + "T10:00:00")


def _end(f: dict, start: datetime) -> datetime:
    try:
        if f.get("firstdate_end"):
            return datetime.fromisoformat(f["firstdate_end"])
        parts = (f.get("timetable") or "").split(";")[0].split()
        if len(parts) > 1:
            return datetime.fromisoformat(parts[1])
    except ValueError:
        pass
    return start + timedelta(hours=2)


def build(source: Path) -> dict:
    records = []
    for n, (file, prefix, branch, arranged) in enumerate(SELECTION):
        f = _find(source, file, prefix)
        start = _start(f)
        end = _end(f, start)
        duration = end - start if timedelta(0) < end - start <= timedelta(hours=12) else timedelta(hours=2)
        local_time = (start.astimezone(ZoneInfo("Europe/Paris")) if start.tzinfo else start).time()
        day = FIXED_DAYS.get(prefix, FIRST_DAY + timedelta(days=STEP_DAYS * n))
        new_start = datetime.combine(day.date(), local_time)
        coords = f.get("location_coordinates") or f.get("latlon")
        keywords = f.get("keywords_fr") if f.get("keywords_fr") is not None else f.get("tags")
        records.append({"fields": {
            "uid": str(f["uid"]),
            "title_fr": f.get("title_fr") or f.get("title"),
            "description_fr": f.get("description_fr") or f.get("description") or "",
            "keywords_fr": keywords or "",
            "firstdate_begin": new_start.isoformat(),
            "lastdate_end": (new_start + duration).isoformat(),
            "location_name": f.get("location_name") or f.get("placename") or "",
            "location_coordinates": coords,
            "canonicalurl": f.get("canonicalurl") or f.get("link") or "",
            "branch_id": branch,
            "arranged_branch": arranged,
            "original_firstdate_begin": start.isoformat(),
            "original_file": file,
        }})
    return {"note": "Démonstration : événements OpenAgenda réels, redatés et, pour la plupart, attribués à une "
                    "bibliothèque de démonstration (voir data/SOURCES.md).",
            "records": records}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default=str(ROOT.parent / "shared" / "data" / "events"))
    parser.add_argument("--out", default=str(ROOT / "data" / "samples" / "agenda-demo.json"))
    args = parser.parse_args()
    text = json.dumps(build(Path(args.source)), ensure_ascii=False, indent=1) + "\n"
    atomic.write_text(args.out, text)  # a failed run leaves the previous agenda whole
    print(f"{args.out}: {len(SELECTION)} events")


if __name__ == "__main__":
    main()
