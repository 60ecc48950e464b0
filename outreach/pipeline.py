"""The one path both faces take: campaign → plan → checklist → gated outputs (files) → push.

The CLI sub-commands and the app pages call these functions and only show what they return, so that the
checks run the same way whichever face the user works in: the Ads Manager template's columns, the warning
about a folder that already holds `meta-ids.json`, the checklist gate, the draft marking, and the checks of a
`meta-api.json` before it is pushed.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from outreach import paths
from outreach.atomic import unwritable
from outreach.bounds import parse_json
from outreach.campaign import Campaign, ensure_identity, load_campaign
from outreach.compliance.gate import Verdict, review, write_gated
from outreach.errors import InputError
from outreach.meta import sheet
from outreach.meta.files import EXPORT_FILES, IDS_FILE, META_API_FILE, plan_campaign, render_outputs
from outreach.planner import Plan
from outreach.reporting import ImportSummary, ReportStore, read_plan_dir
from outreach.sources import read_activity
from outreach.sources.ads_reports import ResultRows
from outreach.text import slug

if TYPE_CHECKING:  # the client loads facebook-business (a second): only a push or an Insights read needs it
    from outreach.meta.client import MetaClient, PushReport

PAYLOAD_KEYS = ("api_version", "campaign", "ad_sets", "creatives", "ads")  # campaign_identity: optional


@dataclass
class Prepared:
    """A campaign planned and checked: what every output is made from."""

    campaign: Campaign
    plan: Plan
    payloads: dict
    verdict: Verdict
    template_columns: list[str] | None = None

    def with_draft(self, draft: bool) -> Prepared:
        return dataclasses.replace(self, verdict=self.verdict.with_draft(draft))

    def outputs(self) -> dict[str, bytes]:
        """Every file the verdict lets out, by name (the checklist always; the Meta files when allowed, or
        marked BROUILLON for a draft): the same bytes for a download and for a folder."""
        rendered = render_outputs(self.plan, self.verdict.export_payloads(self.payloads), self.template_columns)
        return {**self.verdict.export_files(rendered), **self.verdict.checklist_files()}


def plan_in_force(campaign: Campaign, *, catalogue_files: Sequence[str | Path] = (), settings=None) -> tuple[Plan, dict]:
    """The plan and its payloads on the network's catalogue and agenda in force (`outreach.themes.in_force`):
    the `catalogue_files` named (`outreach plan --catalogue`), else what the officer loaded; the demonstration
    sample only when nothing is, and then no figure of it reaches the copy."""
    from outreach.themes.in_force import agenda_in_force, catalogue_in_force

    catalogue = catalogue_in_force(settings, files=catalogue_files)
    agenda = agenda_in_force(settings)
    kwargs = {"settings": settings} if settings is not None else {}
    plan, payloads = plan_campaign(campaign, items=catalogue.items, events=agenda.events or None, **kwargs)
    if catalogue.loaded:  # the banner's words: which files, their date, their count
        plan.catalogue = catalogue.provenance
    plan.notes.extend(catalogue.notes + agenda.notes)
    if agenda.sources:
        plan.notes.append(f"Agenda : {len(agenda.events)} événement(s) de vos agendas ({', '.join(agenda.sources)}).")
    return plan, payloads


def prepare(campaign: Campaign, *, campaign_path: str | Path | None = None, draft: bool = False,
            template_columns: list[str] | None = None, out_dir: str | Path | None = None, settings=None,
            today: date | None = None, planned: tuple[Plan, dict] | None = None,
            catalogue_files: Sequence[str | Path] = ()) -> Prepared:
    """Plan the campaign (or take `planned`, the app's cached plan, made by `plan_in_force` too) and review it with its
    attestations.

    `out_dir`, when known, is checked now: a folder holding an earlier push's ids adds a note to the plan."""
    plan, payloads = planned if planned is not None else \
        plan_in_force(campaign, catalogue_files=catalogue_files, settings=settings)
    plan = plan.model_copy(update={"notes": list(plan.notes)})  # the notes below never reach a cached plan
    if template_columns:
        missing = sheet.unmapped(sheet.rows(payloads), template_columns)
        if missing:
            plan.notes.append("colonnes absentes du modèle, laissées de côté : " + ", ".join(missing) + ".")
    unresolved = sheet.unresolved(payloads)
    if unresolved:
        plan.notes.append("ads-manager.xlsx nomme ces centres d'intérêt sans leur identifiant Meta, que l'import du "
                          "Gestionnaire de publicités demande : " + ", ".join(unresolved) + ". L'envoi par "
                          "l'API (outreach push) les résout lui-même.")
    if out_dir is not None and (Path(out_dir) / IDS_FILE).exists():
        # the push brings the objects already created in line with this plan, and never recreates them
        plan.notes.append(f"{Path(out_dir) / IDS_FILE} garde les objets créés par un envoi précédent : « outreach "
                          "push » les mettra à jour (budgets, textes, visuels, dates), créera en pause ce qui est "
                          "nouveau, et ne touchera pas à leur diffusion. Pour une nouvelle campagne, choisissez un "
                          "autre dossier.")
    verdict = review(campaign, plan, payloads, campaign_path=campaign_path, draft=draft, settings=settings,
                     today=today)
    return Prepared(campaign, plan, payloads, verdict, template_columns)


def prepare_file(campaign_path: str | Path, *, draft: bool = False, template: str | Path | None = None,
                 out_dir: str | Path | None = None, settings=None, today: date | None = None,
                 catalogue_files: Sequence[str | Path] = ()) -> Prepared:
    """`prepare` for a campaign file, with an optional Ads Manager export whose header is the template."""
    campaign = load_campaign(campaign_path, settings=settings)
    written = campaign.id is None
    if written:  # the first plan of a file gives it its identity, which its folder and Meta objects follow
        campaign = ensure_identity(campaign_path, campaign)
    columns = sheet.read_template(template) if template else None
    prepared = prepare(campaign, campaign_path=campaign_path, draft=draft, template_columns=columns,
                       out_dir=out_dir, settings=settings, today=today, catalogue_files=catalogue_files)
    if written:
        prepared.plan.notes.insert(0, f"Identité de la campagne écrite dans {campaign_path} : {campaign.id} (son "
                                      "dossier et ses objets chez Meta la suivent).")
    return prepared


def check_out_dir(out_dir: str | Path) -> Path:
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError("c'est un fichier, pas un dossier.", file=out_dir, where="--out",
                         fix="Donnez le nom d'un dossier (il sera créé au besoin).")
    return out_dir


def write_outputs(prepared: Prepared, out_dir: str | Path) -> list[Path]:
    """Write what the verdict lets out into `out_dir`, all or nothing; earlier exports it contradicts go."""
    rendered = render_outputs(prepared.plan, prepared.verdict.export_payloads(prepared.payloads),
                              prepared.template_columns)
    return write_gated(prepared.verdict, rendered, check_out_dir(out_dir), EXPORT_FILES)


def write_checklist(verdict: Verdict, out_dir: str | Path) -> list[Path]:
    """The checklist and the record alone (no Meta file), removing a Meta export it contradicts."""
    return write_gated(verdict, {}, check_out_dir(out_dir), EXPORT_FILES)


def read_payloads(folder: str | Path) -> dict:
    """The `meta-api.json` of a folder that `outreach plan` (or the Exporter page) wrote, ready to push."""
    source = Path(folder) / META_API_FILE
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError("fichier introuvable.", file=source,
                         fix="Lancez d'abord « outreach plan CAMPAGNE.yaml --out DOSSIER ».") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"le fichier n'est pas en UTF-8 (octet {exc.start}).", file=source,
                         fix="Refaites le plan.") from exc
    payloads = parse_json(text, str(source), fix="Refaites le plan.")
    missing = [k for k in PAYLOAD_KEYS if k not in payloads] if isinstance(payloads, dict) else ["campaign"]
    if missing:
        raise InputError(f"clé(s) absente(s) : {', '.join(missing)}.", file=source,
                         fix="Refaites le plan avec « outreach plan » plutôt que de modifier ce fichier à la main.")
    if payloads.get("draft"):  # a draft renamed by hand: the GDPR checklist still blocks this campaign
        raise InputError("ce fichier est un BROUILLON : la checklist RGPD bloque encore la campagne.", file=source,
                         fix="Corrigez ou attestez les points bloquants (checklist.html, page RGPD), puis refaites "
                             "« outreach plan » sans --draft.")
    return payloads


def push_folder(folder: str | Path, account: str, *, dry_run: bool = False,
                progress: Callable[[str], None] | None = None, client: MetaClient | None = None) -> PushReport:
    """Push a folder's `meta-api.json` to Meta, paused; the ids created are kept in the folder."""
    payloads = read_payloads(folder)
    if client is None:
        from outreach.meta.client import MetaClient

        client = MetaClient(account, api_version=payloads["api_version"])
    return client.push(payloads, folder, dry_run=dry_run, progress=progress)


def export_and_push(prepared: Prepared, out_dir: str | Path, account: str, *, dry_run: bool = False,
                    progress: Callable[[str], None] | None = None) -> PushReport:
    """The app's « Envoyer à Meta »: write the folder as `outreach plan` does, then push it as `outreach push`
    does, so that the folder holds the same files whichever face made it."""
    if not prepared.verdict.export_allowed:
        raise InputError("envoi refusé : la checklist RGPD a des points bloquants ouverts.",
                         fix="Corrigez ou attestez-les sur la page RGPD.")
    try:
        write_outputs(prepared, out_dir)
    except OSError as exc:
        # only the file and the system's reason, in French: an OSError's own text may carry a request URL
        raise unwritable(Path(exc.filename or out_dir), exc) from exc
    return push_folder(out_dir, account, dry_run=dry_run, progress=progress)


def campaign_out_dir(campaign: Campaign) -> Path:
    """Where the app writes and pushes a campaign's files: one folder per campaign in OUTREACH_OUTPUT_DIR, named
    after its identity (two names may give the same slug; the identity is the file's own)."""
    return paths.output_dir() / (campaign.id or slug(campaign.name))


# ------------------------------------------------------------------------------------------ after the campaign

@dataclass
class ActivityImport:
    path: str
    rows: int
    batch: int
    replaced: int
    notes: list[str]

    def describe(self) -> str:
        return (f"{self.path} : {self.rows} ligne(s) d'activité importée(s) (lot n° {self.batch}"
                f"{f', {self.replaced} remplaçant des mois déjà présents' if self.replaced else ''}).")


def import_activity(store: ReportStore, files: list[str | Path | tuple[str, bytes]]) -> list[ActivityImport]:
    """Monthly activity files (a path, or (name, bytes) for an upload): every file is read and checked before
    anything is stored, and each batch records the sha256 of the bytes it came from."""
    reads = []
    for file in files:
        name, data = (file[0], file[1]) if isinstance(file, tuple) else (str(file), Path(file).read_bytes())
        reads.append((read_activity(name, data=data, name=name), hashlib.sha256(data).hexdigest()))
    done = []
    for read, sha in reads:
        batch, replaced = store.import_activity(read.frame, read.path, sha)
        done.append(ActivityImport(read.path, len(read.frame), batch, replaced, list(read.notes)))
    return done


def import_insights(store: ReportStore, queries: list, plan_dirs: list = (), *,
                    announce: Callable[[object], None] | None = None,
                    progress: Callable[[int], None] | None = None) -> list[tuple[ResultRows, ImportSummary]]:
    """Read results from Meta's Insights API and store them: every query is fetched before anything is
    stored, so that a failure on the third query leaves no partial import behind."""
    plans = [read_plan_dir(d) for d in plan_dirs]
    fetched = []
    for query in queries:
        if announce:
            announce(query)
        from outreach.meta.insights import fetch_insights

        fetched.append(fetch_insights(query, progress=progress))
    for plan in plans:
        store.register_plan(plan)
    return [(rows, store.import_rows(rows, kind="insights")) for rows in fetched]
