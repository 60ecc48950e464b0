"""The `outreach` command. Each sub-command lives in its own module and registers itself here."""

from __future__ import annotations

import argparse
import sys
import traceback
from datetime import datetime
from pathlib import Path

from outreach import paths
from outreach.cli import catalogue as catalogue_cmd
from outreach.cli import channels as channels_cmd
from outreach.cli import compliance as compliance_cmd
from outreach.cli import meta as meta_cmd
from outreach.cli import nearest, questionnaire, report
from outreach.cli import plan as plan_cmd
from outreach.cli import themes as themes_cli
from outreach.errors import InputError, mask_secrets

# modules with `register(subparsers)`; each sets `func(args) -> int` on its parser
COMMANDS = [nearest, themes_cli, catalogue_cmd, plan_cmd, compliance_cmd, channels_cmd, questionnaire, report,
            meta_cmd]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="outreach",
        description="Planificateur de communication ciblée par centres d'intérêt pour les médiathèques.")
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE", required=True)
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args) or 0
    except InputError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not the user's input: a French line here, the details in a log file
        log = write_crash_log(exc)
        print(f"Erreur inattendue ({type(exc).__name__}) : rien n'a été écrit à moitié. Merci de signaler ce "
              f"problème en joignant {log}.", file=sys.stderr)
        return 1


def command_line() -> int:
    """The `outreach` command (`python -m outreach`): `main`, then the process ends. Every object left is moved
    out of the cyclic collector's sight first (gc.freeze): its passes at the interpreter's exit, over the
    libraries' hundreds of thousands of objects, were 2.5 % of a national `outreach nearest` (callgrind), for
    memory the system takes back anyway. Not in `main`, which tests and scripts call in their own process."""
    code = main()
    import gc

    gc.freeze()
    return code


def write_crash_log(exc: Exception) -> Path:
    """The traceback, secrets masked, in the cache folder; its path is what the user is shown."""
    log = paths.cache_dir() / "erreurs.log"
    details = "".join(traceback.format_exception(exc))
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "a", encoding="utf-8") as f:
            f.write(mask_secrets(f"--- {datetime.now().isoformat(timespec='seconds')} outreach {' '.join(sys.argv[1:])}\n"))
            f.write(mask_secrets(details))
    except OSError:
        return Path("(journal impossible à écrire : " + str(log) + ")")
    return log
