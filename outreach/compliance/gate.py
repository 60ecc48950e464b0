"""The export gate: the check step of `outreach plan`, between planning and writing.

The checklist is always written (checklist.json, .md, .html and the art. 30 entry), so that the user sees
what to fix. The Meta files are written only when no blocking item is open; with `draft=True` they are
written anyway, as drafts: their names start with « BROUILLON- », the campaign's name in them starts with
« [BROUILLON] » and meta-api.json says `"draft": true`, so that nobody mistakes them for the real thing
(`outreach push` reads `meta-api.json`, which a draft never is).

Exit codes: 0 when the export is allowed (or a draft was asked for and nothing *fails*); 3 when a blocking
item fails, or when the export is refused because blocking items wait for an attestation.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from outreach import atomic
from outreach.compliance.attestations import load_attestations
from outreach.compliance.context import CheckContext, build_context
from outreach.compliance.evaluate import Checklist, evaluate, evaluate_rule
from outreach.compliance.reports import (
    DRAFT_PREFIX,
    DRAFT_WARNING,
    checklist_files,
    draft_name,
)
from outreach.compliance.ropa import build_entry
from outreach.compliance.rules import load_rules
from outreach.errors import InputError
from outreach.settings import NetworkSettings

EXIT_REFUSED = 3
DRAFT_CAMPAIGN_PREFIX = "[BROUILLON] "


@dataclass
class Verdict:
    checklist: Checklist
    context: CheckContext
    draft_requested: bool = False
    ropa_entry: dict = field(default_factory=dict)

    @property
    def export_allowed(self) -> bool:
        return self.checklist.export_allowed

    @property
    def writes_export(self) -> bool:
        return self.export_allowed or self.draft_requested

    @property
    def is_draft(self) -> bool:
        return self.draft_requested and not self.export_allowed

    @property
    def exit_code(self) -> int:
        if self.checklist.failures:
            return EXIT_REFUSED
        if not self.export_allowed and not self.draft_requested:
            return EXIT_REFUSED
        return 0

    def message(self) -> str:
        """French lines for stderr: what stops the export, item by item."""
        if self.export_allowed:
            return "Checklist RGPD : aucun point bloquant ouvert, export autorisé."
        lines = []
        failing = self.checklist.failures
        waiting = [i for i in self.checklist.open_blockers if i.status != "fail"]
        if failing:
            lines.append(f"Checklist RGPD : {len(failing)} point(s) bloquant(s) non conforme(s) :")
            lines += [f"  - {i.id} {i.title} : {i.detail}" for i in failing]
        if waiting:
            lines.append(f"{len(waiting)} point(s) bloquant(s) à attester (outreach attest CAMPAGNE.yaml ID "
                         "--name … --role …) : " + ", ".join(i.id for i in waiting))
        if self.is_draft:
            lines.append("Fichiers écrits en BROUILLON (préfixe « BROUILLON- ») : ne pas les diffuser.")
        else:
            lines.append("Export refusé : seuls la checklist et le registre ont été écrits (voir checklist.html ; "
                         "--draft pour écrire des brouillons).")
        return "\n".join(lines)

    def with_draft(self, draft: bool) -> Verdict:
        """The same verdict with the draft asked for or not (a new one: a cached verdict never changes)."""
        checklist = copy.copy(self.checklist)
        verdict = dataclasses.replace(self, checklist=checklist, draft_requested=draft)
        checklist.draft = verdict.is_draft
        return verdict

    # --- files ----------------------------------------------------------------------------------------
    def checklist_files(self) -> dict[str, bytes]:
        return checklist_files(self.checklist, self.ropa_entry)

    def export_payloads(self, payloads: dict) -> dict:
        """The payloads to render: unchanged when allowed, marked as a draft otherwise."""
        if not self.is_draft:
            return payloads
        marked = copy.deepcopy(payloads)
        for campaign in [marked.get("campaign") or {}, *(marked.get("special_campaigns") or [])]:
            if "name" in campaign and not str(campaign["name"]).startswith(DRAFT_CAMPAIGN_PREFIX):
                campaign["name"] = DRAFT_CAMPAIGN_PREFIX + str(campaign["name"])
        return marked

    def export_files(self, rendered: dict[str, bytes]) -> dict[str, bytes]:
        """Rendered Meta files under their final names: none when refused, « BROUILLON- » ones for a draft."""
        if not self.writes_export:
            return {}
        if not self.is_draft:
            return dict(rendered)
        files = {}
        for name, data in rendered.items():
            if name.startswith("images/"):  # the sheet names them: they keep their names (push refuses a draft)
                files[name] = data
                continue
            if name.endswith(".csv"):
                data = f"# {DRAFT_WARNING}\n".encode() + data
            elif name.endswith(".json") and data.lstrip().startswith(b"{"):
                # said first in the file, whatever keys its writer keeps; `outreach push` refuses it
                head = json.dumps({"draft": True, "avertissement": DRAFT_WARNING}, ensure_ascii=False)[1:-1]
                data = data.replace(b"{", ("{" + head + ", ").encode("utf-8"), 1)
            files[draft_name(name)] = data
        return files


def review(campaign, plan=None, payloads: dict | None = None, *, campaign_path: str | Path | None = None,
           draft: bool = False, settings=None, themes=None, questionnaire=None,
           today: date | None = None) -> Verdict:
    """Evaluate the checklist of a planned campaign with the attestations kept beside its file."""
    ctx = build_context(campaign, plan, payloads, themes=themes, settings=settings, questionnaire=questionnaire,
                        today=today, campaign_path=campaign_path)
    attestations = load_attestations(campaign_path) if campaign_path else []
    checklist = evaluate(ctx, attestations)
    verdict = Verdict(checklist=checklist, context=ctx, draft_requested=draft, ropa_entry=build_entry(ctx))
    checklist.draft = verdict.is_draft
    return verdict


def stale_outputs(out_dir: str | Path, verdict: Verdict, export_names: list[str]) -> list[Path]:
    """Files of an earlier run that would contradict this one: the real export when this run is refused or a
    draft, the drafts when this run is the real export."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        return []
    # the visuals keep their names in a draft too: `_remove_stale_images` sorts them out after the write
    plain = {n for n in export_names if not n.startswith((DRAFT_PREFIX, "images/"))}
    drafts = {draft_name(n) for n in plain}
    unwanted = drafts if verdict.export_allowed else plain | (set() if verdict.is_draft else drafts)
    return [out_dir / n for n in sorted(unwanted) if (out_dir / n).is_file()]


def write_gated(verdict: Verdict, rendered: dict[str, bytes], out_dir: str | Path,
                export_names: tuple[str, ...] = ()) -> list[Path]:
    """Write the checklist files and what the verdict lets through, all or nothing; remove stale exports.

    `export_names`: every export file name, rendered this time or not (`outreach checklist --out` renders
    none): a refusal must not leave an earlier export ready to push beside it."""
    files = {**verdict.export_files(rendered), **verdict.checklist_files()}
    stale = stale_outputs(out_dir, verdict, sorted(set(export_names) | set(rendered)))
    atomic.write_files(out_dir, files)  # images/ beside the sheet
    for path in stale:
        path.unlink(missing_ok=True)
    _remove_stale_images(Path(out_dir), {name for name in files if name.startswith("images/")})
    return [Path(out_dir) / name for name in files]


def _remove_stale_images(out_dir: Path, kept: set[str]) -> None:
    """The visuals of an earlier run that this one does not write: all of them when the export is refused
    (nothing ready to push stays), the ones of an older plan otherwise."""
    folder = out_dir / "images"
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        if path.is_file() and f"images/{path.name}" not in kept:
            path.unlink()
    if not any(folder.iterdir()):
        folder.rmdir()


# The checks that read the Meta parameters alone (no campaign file, no attestation): what `outreach push`
# can still verify on a meta-api.json, in case it was edited by hand after the gate let it out.
PAYLOAD_CHECKS = ("adults_only", "no_blocked_interest", "flagged_topics_broad_only", "radius_at_least_1km",
                  "no_political_category")


def refuse_unsafe_payloads(payloads: dict, *, file: str | Path | None = None) -> None:
    """Raise an InputError naming the blocking items the payloads themselves break (before any push)."""
    # none of these checks reads the campaign file, the theme catalogue or the network settings: empty ones
    # and the defaults keep the push independent of them
    ctx = build_context({}, None, payloads, themes={}, settings=NetworkSettings())
    failing = [item for rule in load_rules() if rule.check in PAYLOAD_CHECKS and rule.severity == "blocking"
               for item in [evaluate_rule(rule, ctx, None)] if item.status == "fail"]
    if failing:
        raise InputError("envoi refusé, la checklist RGPD bloque ces paramètres : "
                         + " ; ".join(f"{i.id} {i.title} : {i.detail}" for i in failing),
                         file=file, field=failing[0].field or None,
                         fix="Refaites le plan avec « outreach plan » à partir du fichier de campagne corrigé, "
                             "sans modifier meta-api.json à la main.")
