#!/usr/bin/env bash
# Re-run the surviving mutants of a copy kept by `MUTATION_KEEP=1 bench/mutation.sh MODULE` with the work
# tree's current tests, then count again (bench/mutation_report.py): minutes instead of a full run.
#
#   bench/mutation_rerun.sh /tmp/outreach-mutation.XXXXXX outreach/territory.py [new test files…]
#
# New test files must be named so that they join the copy's test selection; that changes mutmut's
# configuration, which makes it forget the earlier results of the other mutants (they stay killed: adding
# tests never lets a mutant live, but the counts of that copy then cover only the mutants re-run).
# Mutants listed in bench/mutation-equivalent.tsv are not re-run. MUTATION_SURVIVORS_ONLY=1 re-runs the
# survivors alone, not the mutants that a run stopped before its end left unchecked.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PYTHON:-$ROOT/.venv/bin/python}
work=$1 module=$2
shift 2
cp -r "$ROOT/tests/." "$work/tests/"
cp -r "$ROOT/bench/." "$work/bench/"
for t in "$@"; do
  grep -qx "    $t" "$work/setup.cfg" || sed -i "/^pytest_add_cli_args_test_selection =/a\\    $t" "$work/setup.cfg"
done
cd "$work"
names=$("$PY" - "$module" "$ROOT" "${MUTATION_SURVIVORS_ONLY:-}" <<'PY'
import json, pathlib, sys

module, root, survivors_only = sys.argv[1], pathlib.Path(sys.argv[2]), bool(sys.argv[3])
sys.path.insert(0, str(root / "bench"))
from mutation_report import changed_lines, equivalents, function_of  # noqa: E402
from mutmut.mutation.diff_apply import get_diff_for_mutant  # noqa: E402

known = equivalents(root, module)
codes = json.loads((pathlib.Path("mutants") / (module + ".meta")).read_text())["exit_code_by_key"]
for name, code in codes.items():
    if code in ((0, 33) if survivors_only else (0, 33, None)):  # survived, reached by no test, not run yet
        original, mutated = changed_lines(get_diff_for_mutant(name, path=module))
        if (function_of(name), original, mutated) not in known:
            print(name)
PY
)
echo "$(wc -w <<<"$names") mutants to re-run"
if [ -n "$names" ]; then
  # shellcheck disable=SC2086  # one argument per mutant name
  "$PY" -m mutmut run --max-children "${MUTATION_CHILDREN:-2}" $names > "$work/rerun.log" 2>&1 || true
fi
"$PY" "$ROOT/bench/mutation_report.py" --module "$module" --root "$ROOT" --commit "$(git -C "$ROOT" rev-parse --short HEAD)"
