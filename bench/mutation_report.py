"""Count a finished mutmut 3 run (in its work copy), set the known equivalent mutants aside and record the score.

Run by bench/mutation.sh from the copy's root. An equivalent mutant is one no test can kill because it does not
change what the code does (bench/mutation-equivalent.tsv lists each one and why). It is recognised by its
function and by the line it changes, not by mutmut's number, which shifts when the function is edited.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import pathlib
from collections import Counter

from mutmut.mutation.diff_apply import get_diff_for_mutant
from mutmut.stats import status_by_exit_code

KILLED = {"killed", "caught by type check", "timeout", "segfault"}


def equivalents(root: pathlib.Path, module: str) -> dict[tuple[str, str, str], str]:
    """(function, original line, mutated line) -> why, for the module, from bench/mutation-equivalent.tsv."""
    path = root / "bench" / "mutation-equivalent.tsv"
    found: dict[tuple[str, str, str], str] = {}
    if not path.exists():
        return found
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["module"] == module:
                found[(row["function"], row["original"].strip(), row["mutant"].strip())] = row["why"]
    return found


def changed_lines(diff: str) -> tuple[str, str]:
    """The original and mutated lines of a one-change diff, stripped (joined with ' / ' if several)."""
    removed = [line[1:].strip() for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line[1:].strip() for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    return " / ".join(removed), " / ".join(added)


def function_of(mutant: str) -> str:
    """'outreach.territory.x_nearest__mutmut_12' -> 'nearest' (methods: 'Class.method')."""
    mangled = mutant.partition("__mutmut_")[0].rpartition(".")[2]
    if mangled.startswith(("x_", "xǁ")):
        mangled = mangled[2:]
    return mangled.replace("ǁ", ".")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--module", required=True)
    parser.add_argument("--root", required=True, type=pathlib.Path)
    parser.add_argument("--commit", required=True)
    args = parser.parse_args()

    meta = pathlib.Path("mutants") / (args.module + ".meta")
    exit_codes: dict[str, int | None] = json.loads(meta.read_text())["exit_code_by_key"]
    known = equivalents(args.root, args.module)
    statuses: Counter[str] = Counter()
    survivors: list[str] = []
    equivalent_hits: list[str] = []
    for mutant, code in sorted(exit_codes.items()):
        status = status_by_exit_code[code]
        if status in KILLED:
            statuses["killed"] += 1
            if status != "killed":
                statuses[f"killed by {status}"] += 1  # told apart: a timeout under load deserves a look
            continue
        diff = get_diff_for_mutant(mutant, path=args.module)
        original, mutated = changed_lines(diff)
        why = known.get((function_of(mutant), original, mutated))
        if why:
            statuses["equivalent"] += 1
            equivalent_hits.append(f"# {mutant}: equivalent — {why}\n{diff}\n")
            continue
        statuses[status] += 1  # survived, no tests (no listed test reaches it), suspicious, not checked
        survivors.append(f"# {mutant}: {status}\n{diff}\n")

    total = len(exit_codes)
    killed, equivalent = statuses["killed"], statuses["equivalent"]
    survived = total - killed - equivalent
    score = 100 * killed / (total - equivalent) if total - equivalent else 0.0
    detail = ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items()))
    print(f"{args.module}: {total} mutants, {killed} killed, {survived} survived, {equivalent} equivalent "
          f"— score {score:.1f} % of the non-equivalent ({detail})")

    name = pathlib.Path(args.module).stem
    out = args.root / "bench" / f"mutation-survivors-{name}.txt"
    out.write_text(
        f"# {args.module} at {args.commit}: {len(survivors)} surviving mutants "
        f"(bench/mutation.sh {args.module})\n\n" + "\n".join(survivors)
        + ("\n# Set aside as equivalent (bench/mutation-equivalent.tsv)\n\n" + "\n".join(equivalent_hits)
           if equivalent_hits else ""),
        encoding="utf-8")
    scores = args.root / "bench" / "mutation-scores.tsv"
    if not scores.exists():
        scores.write_text("date\tcommit\tmodule\tmutants\tkilled\tsurvived\tequivalent\tscore\n", encoding="utf-8")
    with scores.open("a", encoding="utf-8") as f:
        f.write(f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M}\t{args.commit}\t{args.module}\t{total}\t"
                f"{killed}\t{survived}\t{equivalent}\t{score:.1f}%\n")


if __name__ == "__main__":
    main()
