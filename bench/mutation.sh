#!/usr/bin/env bash
# Mutation testing of the core modules with mutmut 3, each module against the tests that cover it.
#
#   bench/mutation.sh                            # every core module (hours on 2 shared cores)
#   bench/mutation.sh outreach/territory.py      # one module (15 to 30 minutes under load)
#   MUTATION_KEEP=1 bench/mutation.sh outreach/territory.py   # keep the copy: bench/mutation_rerun.sh re-runs
#                                                # its survivors after tests are added
#
# Each module is mutated in a copy of the work tree (mutmut writes its mutants/ folder there); mutmut runs,
# for each mutant, only the listed tests that executed the mutated function, stopping at the first failure.
# bench/mutation_report.py then counts the results, sets aside the mutants listed as equivalent in
# bench/mutation-equivalent.tsv, prints the score, appends it to bench/mutation-scores.tsv and writes the
# surviving mutants' diffs to bench/mutation-survivors-<module>.txt. Not part of CI: too long for it.
# Environment: MUTATION_CHILDREN (default 2: the machine is shared), MUTATION_WORK (default /tmp).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PYTHON:-$ROOT/.venv/bin/python}
CHILDREN=${MUTATION_CHILDREN:-2}
"$PY" -c 'import mutmut' 2>/dev/null || "$PY" -m pip install -q 'mutmut>=3.8,<4'

# The tests that exercise each module directly; mutmut narrows them further to those that reach each mutant.
declare -A TESTS=(
  [outreach/territory.py]="tests/test_territory.py tests/test_territory_mutants.py"
  [outreach/planner.py]="tests/test_planner.py tests/test_planner_meta_rules.py tests/test_planner_mutants.py"
  [outreach/meta/payloads.py]="tests/test_meta_payloads.py tests/test_meta_payloads_mutants.py tests/test_planner_meta_rules.py"
  [outreach/compliance/gate.py]="tests/test_compliance_cli.py tests/test_compliance_checks.py tests/test_pipeline.py tests/test_gate_mutants.py"
  [outreach/compliance/checks.py]="tests/test_compliance_checks.py tests/test_checks_mutants.py"
  [outreach/community/validation.py]="tests/test_community_api.py tests/test_community_data.py tests/test_validation_mutants.py"
  [outreach/community/store.py]="tests/test_community_data.py tests/test_community_api.py tests/test_community_optin.py tests/test_community_hostile.py
    tests/test_community_migration.py tests/test_community_store_mutants.py"
  [outreach/sources/catalogue.py]="tests/test_sources_catalogue.py tests/test_sources_catalogue_mutants.py"
  [outreach/sources/events.py]="tests/test_sources_events.py tests/test_sources_agenda_exports.py tests/test_sources_events_mutants.py"
  [outreach/sources/branches.py]="tests/test_sources_branches.py tests/test_sources_branches_mutants.py"
  [outreach/sources/areas.py]="tests/test_sources_areas.py tests/test_sources_areas_mutants.py"
)
# Tests left out of the mutation runs only: they read the national lists (35,000 communes, 16,000 libraries),
# compare every shipped area with geopy, plan a whole département (the Nord's 400 libraries, 10 s for the
# Bouches-du-Rhône under load), read the whole Roubaix catalogue sample (2,383 records) or the real Paris
# agenda, or wait on a feed server, and would cost seconds (a minute under load) for each of hundreds of
# mutants; the small cases of the *_mutants.py files reach the same code. They still run in CI.
declare -A DESELECT=(
  [outreach/planner.py]="tests/test_planner.py::test_example_plans_cleanly_within_budget
    tests/test_planner.py::test_national_departement_respects_meta_location_cap
    tests/test_planner.py::test_ad_set_names_are_unique_even_for_homonymous_branches"
  [outreach/territory.py]="tests/test_territory.py::test_matches_brute_force_at_national_scale_on_a_sample
    tests/test_territory.py::test_matches_brute_force_geopy_geodesic_on_every_shipped_area"
  [outreach/sources/areas.py]="tests/test_sources_areas.py::test_national_communes_as_points"
  [outreach/sources/branches.py]="tests/test_sources_branches.py::test_ministry_list_reads_every_geolocated_library
    tests/test_sources_branches.py::test_ministry_codes_are_integer_strings_and_paris_gets_its_arrondissement
    tests/test_sources_branches.py::test_corsican_libraries_get_their_departement"
  [outreach/sources/events.py]="tests/test_sources_events.py::test_real_paris_events_near_a_library_are_not_placed_there_unless_they_are_in_it
    tests/test_sources_events.py::test_openagenda_statuses_as_the_real_export_writes_them
    tests/test_sources_agenda_exports.py::test_feeds_are_read_from_their_address"
  [outreach/sources/catalogue.py]="tests/test_sources_catalogue.py::test_unimarc_sample_is_read_whole
    tests/test_sources_catalogue.py::test_unimarc_fields
    tests/test_sources_catalogue.py::test_the_flattened_roubaix_export_reads_as_csv
    tests/test_sources_catalogue.py::TestReaderContract::test_reads_a_real_file
    tests/test_sources_catalogue.py::TestReaderContract::test_a_file_and_its_upload_read_the_same"
)
modules=("$@")
if [ ${#modules[@]} -eq 0 ]; then
  mapfile -t modules < <(printf '%s\n' "${!TESTS[@]}" | sort)
fi

for module in "${modules[@]}"; do
  tests=${TESTS[$module]:-}
  [ -n "$tests" ] || { echo "no tests listed for $module in bench/mutation.sh" >&2; exit 2; }
  work=$(mktemp -d "${MUTATION_WORK:-/tmp}/outreach-mutation.XXXXXX")
  git ls-files -z | xargs -0 cp --parents -t "$work"
  # Some tests read the real open data in ../shared beside the work tree; from the copy's mutants/ folder
  # that is $work/shared.
  [ -d "$ROOT/../shared" ] && ln -s "$(cd "$ROOT/../shared" && pwd)" "$work/shared"
  {
    echo "[mutmut]"
    echo "source_paths = outreach/"
    echo "only_mutate = $module"
    echo "also_copy ="
    for extra in data/ campaigns/ app/ streamlit_app.py .streamlit/ bench/; do echo "    $extra"; done
    echo "pytest_add_cli_args_test_selection ="
    for t in $tests; do [ -f "$t" ] && echo "    $t"; done
    # -x: a mutant is killed at the first failing test; no cache: the copies must not write into each other.
    # bench/mutmut_shared_fixtures.py: the tests that read a module-scoped fixture's result count for the
    # functions it called (mutmut alone credits them to the first test only).
    printf 'pytest_add_cli_args =\n    -x\n    -q\n    -p\n    no:cacheprovider\n    -p\n    bench.mutmut_shared_fixtures\n'
    for t in ${DESELECT[$module]:-}; do printf '    --deselect\n    %s\n' "$t"; done
    # Under a shared machine's load a test can run several times slower than when it was timed.
    echo "timeout_multiplier = 30.0"
  } > "$work/setup.cfg"
  # mutmut reads [tool.mutmut] in pyproject.toml before setup.cfg; the project has none, so setup.cfg rules.
  log="$work/mutmut.log"
  echo "$module: mutating in $work (log: $log)"
  start=$(date +%s)
  (cd "$work" && "$PY" -m mutmut run --max-children "$CHILDREN" >"$log" 2>&1) || {
    echo "mutmut failed on $module; the end of its log:" >&2; tail -n 30 "$log" >&2; exit 1; }
  echo "$module: mutmut took $(( $(date +%s) - start )) s"
  (cd "$work" && "$PY" "$ROOT/bench/mutation_report.py" --module "$module" --root "$ROOT" \
      --commit "$(git -C "$ROOT" rev-parse --short HEAD)")
  if [ -n "${MUTATION_KEEP:-}" ]; then echo "kept: $work"; else rm -rf "$work"; fi
done
