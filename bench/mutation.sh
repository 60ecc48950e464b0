#!/usr/bin/env bash
# Mutation testing of the core modules with mutmut 3, each module against the tests that cover it.
#
#   bench/mutation.sh                      # every core module (hours on 2 cores)
#   bench/mutation.sh outreach/territory.py
#
# Each module is mutated in a copy of the work tree (mutmut writes its mutants/ folder there), its tests are
# run against every mutant, and the score (killed / all mutants) is printed and appended to
# bench/mutation-scores.tsv with the date and the commit. Not part of CI: too long for it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PYTHON:-$ROOT/.venv/bin/python}
"$PY" -m pip install -q 'mutmut>=3.8,<4' >/dev/null

declare -A TESTS=(
  [outreach/territory.py]="tests/test_territory.py tests/test_cli_nearest.py"
  [outreach/planner.py]="tests/test_planner.py"
  [outreach/meta/payloads.py]="tests/test_meta_payloads.py"
  [outreach/compliance/gate.py]="tests/test_compliance_cli.py tests/test_compliance_checks.py tests/test_pipeline.py tests/test_gate_mutants.py"
  [outreach/compliance/checks.py]="tests/test_compliance_checks.py tests/test_checks_mutants.py"
  [outreach/community/validation.py]="tests/test_community_api.py tests/test_community_data.py tests/test_validation_mutants.py"
  [outreach/community/store.py]="tests/test_community_data.py tests/test_community_api.py"
  [outreach/sources/catalogue.py]="tests/test_sources_catalogue.py"
  [outreach/sources/events.py]="tests/test_sources_events.py"
  [outreach/sources/branches.py]="tests/test_sources_branches.py"
  [outreach/sources/areas.py]="tests/test_sources_areas.py"
)
modules=("$@")
[ ${#modules[@]} -gt 0 ] || modules=("${!TESTS[@]}")

for module in "${modules[@]}"; do
  tests=${TESTS[$module]:-}
  [ -n "$tests" ] || { echo "no tests listed for $module in bench/mutation.sh" >&2; exit 2; }
  work=$(mktemp -d /tmp/outreach-mutation.XXXXXX)
  git ls-files -z | xargs -0 cp --parents -t "$work"
  ln -s "$ROOT/../shared" "$work/../shared" 2>/dev/null || true
  {
    echo "[mutmut]"
    echo "source_paths = outreach/"
    echo "only_mutate = $module"
    echo "also_copy ="
    for extra in data/ campaigns/ app/ streamlit_app.py; do echo "    $extra"; done
    echo "pytest_add_cli_args_test_selection ="
    for t in $tests; do echo "    $t"; done
    printf 'pytest_add_cli_args =\n    -x\n    -q\n    -p\n    no:cacheprovider\n'
  } > "$work/setup.cfg"
  log="$work.log"  # mutmut's own output, kept when a run fails
  echo "$module: mutmut in $work, log in $log" >&2
  (cd "$work" && "$PY" -m mutmut run --max-children "${MUTATION_CHILDREN:-$(nproc)}" >"$log" 2>&1 || true)
  counts=$(cd "$work" && "$PY" - <<'PYEOF'
import json, pathlib
from collections import Counter
from mutmut.stats import status_by_exit_code  # mutmut's own reading of a test run's exit code
stats = Counter(status_by_exit_code[code] for meta in pathlib.Path("mutants").rglob("*.meta")
                for code in json.loads(meta.read_text()).get("exit_code_by_key", {}).values())
print(f"{stats['killed'] + stats['caught by type check']}\t{sum(stats.values())}\t{json.dumps(dict(stats))}")
PYEOF
)
  killed=$(cut -f1 <<<"$counts"); total=$(cut -f2 <<<"$counts")
  score=$(awk -v k="$killed" -v t="$total" 'BEGIN { printf "%.0f", t ? 100 * k / t : 0 }')
  echo "$module: $killed / $total mutants killed ($score %) — $(cut -f3 <<<"$counts")"
  (cd "$work" && "$PY" -m mutmut results 2>/dev/null | sed -n '1,400p' > "$ROOT/bench/mutation-survivors-$(basename "$module" .py).txt") || true
  printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%F)" "$(git rev-parse --short HEAD)" "$module" "$killed/$total" "$score%" \
      >> bench/mutation-scores.tsv
  rm -rf "$work"
done
