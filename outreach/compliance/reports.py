"""The checklist as files: `checklist.json` (for tools), `checklist.md` (for people), `checklist.html`
(printable, in French) and the pre-filled record-of-processing entry `registre-art30.md`."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from outreach import atomic
from outreach.compliance.evaluate import KIND_LABELS, SEVERITY_LABELS, STATUS_LABELS, Checklist
from outreach.compliance.ropa import render_markdown

CHECKLIST_JSON = "checklist.json"
CHECKLIST_MD = "checklist.md"
CHECKLIST_HTML = "checklist.html"
ROPA_MD = "registre-art30.md"
DRAFT_PREFIX = "BROUILLON-"
DRAFT_WARNING = ("BROUILLON — ne pas diffuser : des points bloquants de la checklist RGPD sont ouverts "
                 "(voir checklist.html).")
STATUS_SYMBOLS = {"pass": "✔", "fail": "✘", "flag": "⚑", "attest": "✍", "todo": "☐"}


def draft_name(filename: str) -> str:
    return filename if filename.startswith(DRAFT_PREFIX) else DRAFT_PREFIX + filename


def checklist_json(checklist: Checklist) -> dict:
    return {
        "campaign": checklist.campaign,
        "campaign_file": checklist.campaign_file,
        "generated_at": checklist.generated_at.isoformat(),
        "draft": checklist.draft,
        "export_allowed": checklist.export_allowed,
        "summary": checklist.counts(),
        "blocking": [i.id for i in checklist.open_blockers],
        "items": [{"id": i.id, "title": i.title, "status": i.status, "detail": i.detail, "source": i.source,
                   "section": i.section, "kind": i.kind, "severity": i.severity, "fix": i.fix, "page": i.page,
                   "field": i.field,
                   "attestation": i.attestation.model_dump(mode="json") if i.attestation else None}
                  for i in checklist.items],
    }


def _summary_line(checklist: Checklist) -> str:
    counts = checklist.counts()
    return " · ".join(f"{STATUS_LABELS[s]} : {n}" for s, n in counts.items())


def _verdict(checklist: Checklist) -> str:
    if checklist.export_allowed:
        return "Export autorisé : aucun point bloquant ouvert."
    ids = ", ".join(i.id for i in checklist.open_blockers)
    return f"Export refusé tant que ces points bloquants sont ouverts : {ids}."


def checklist_markdown(checklist: Checklist) -> str:
    lines = []
    if checklist.draft:
        lines += [f"> **{DRAFT_WARNING}**", ""]
    lines += [f"# Checklist RGPD / DSA — {checklist.campaign}", "",
              f"Générée le {checklist.generated_at:%d/%m/%Y à %H:%M}"
              + (f" depuis `{checklist.campaign_file}`" if checklist.campaign_file else "") + ".", "",
              f"**{_verdict(checklist)}**", "", _summary_line(checklist), ""]
    section = None
    for item in checklist.items:
        if item.section != section:
            section = item.section
            lines += [f"## {section}", ""]
        lines += [f"### {STATUS_SYMBOLS[item.status]} {item.id} — {item.title}", "",
                  f"- Statut : **{STATUS_LABELS[item.status]}** ({SEVERITY_LABELS[item.severity]}, "
                  f"{KIND_LABELS[item.kind]})",
                  f"- Constat : {item.detail}"]
        if item.fix:
            where = f" (page {item.page}" + (f", champ `{item.field}`" if item.field else "") + ")" \
                if item.page and item.page != "RGPD" else ""
            lines.append(f"- À faire : {item.fix}{where}")
        lines += [f"- Source : {item.source}", ""]
    return "\n".join(lines)


CSS = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; color: #1a1a1a; line-height: 1.4; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #999; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th:nth-child(1) { width: 32%; } th:nth-child(2) { width: 18%; } th, td { border: 1px solid #bbb; padding: .35rem .5rem;
vertical-align: top; text-align: left; font-size: .9rem; }
.status { font-weight: bold; white-space: nowrap; }
.fail { background: #fde2e1; } .flag, .todo { background: #fff4d6; } .pass { background: #e6f4ea; }
.attest { background: #e3ecfa; }
.draft { border: 3px solid #b00020; color: #b00020; padding: .5rem 1rem; font-weight: bold; }
.verdict { font-weight: bold; } .source { color: #444; font-size: .8rem; }
.sign { margin-top: 3rem; display: flex; gap: 4rem; } .sign div { flex: 1; border-top: 1px solid #000; padding-top: .3rem; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } tr { break-inside: avoid; } }
"""


def checklist_html(checklist: Checklist) -> str:
    e = escape
    parts = ["<!DOCTYPE html>", '<html lang="fr"><head><meta charset="utf-8">',
             f"<title>{'BROUILLON — ' if checklist.draft else ''}Checklist RGPD — {e(checklist.campaign)}</title>",
             f"<style>{CSS}</style></head><body>"]
    if checklist.draft:
        parts.append(f'<p class="draft">{e(DRAFT_WARNING)}</p>')
    parts += [f"<h1>Checklist RGPD / DSA — {e(checklist.campaign)}</h1>",
              f"<p>Générée le {checklist.generated_at:%d/%m/%Y à %H:%M}"
              + (f" depuis <code>{e(checklist.campaign_file)}</code>" if checklist.campaign_file else "") + ".</p>",
              f'<p class="verdict">{e(_verdict(checklist))}</p>', f"<p>{e(_summary_line(checklist))}</p>"]
    section = None
    for item in checklist.items:
        if item.section != section:
            if section is not None:
                parts.append("</tbody></table>")
            section = item.section
            parts += [f"<h2>{e(section)}</h2>",
                      '<table><thead><tr><th scope="col">Point</th><th scope="col">Statut</th>'
                      '<th scope="col">Constat et action</th></tr></thead><tbody>']
        fix = ""
        if item.fix:
            where = f" (page {e(item.page)}" + (f", champ <code>{e(item.field)}</code>" if item.field else "") \
                + ")" if item.page and item.page != "RGPD" else ""
            fix = f"<br><strong>À faire :</strong> {e(item.fix)}{where}"
        parts.append(
            f'<tr class="{item.status}"><td><strong>{e(item.id)}</strong><br>{e(item.title)}</td>'
            f'<td class="status">{STATUS_SYMBOLS[item.status]} {e(STATUS_LABELS[item.status])}<br>'
            f"<small>{e(SEVERITY_LABELS[item.severity])}, {e(KIND_LABELS[item.kind])}</small></td>"
            f"<td>{e(item.detail)}{fix}<br><span class=\"source\">Source : {e(item.source)}</span></td></tr>")
    if section is not None:
        parts.append("</tbody></table>")
    parts += ['<div class="sign"><div>Chargé(e) de communication — nom, date, signature</div>'
              "<div>Délégué(e) à la protection des données — nom, date, signature</div></div>",
              "</body></html>"]
    return "\n".join(parts)


def checklist_files(checklist: Checklist, ropa_entry: dict) -> dict[str, bytes]:
    """The four files of a checklist by name: JSON, Markdown, printable HTML and the art. 30 entry."""
    texts = {
        CHECKLIST_JSON: json.dumps(checklist_json(checklist), ensure_ascii=False, indent=2),
        CHECKLIST_MD: checklist_markdown(checklist),
        CHECKLIST_HTML: checklist_html(checklist),
        ROPA_MD: render_markdown(ropa_entry, draft=checklist.draft),
    }
    return {name: (text + "\n").encode("utf-8") for name, text in texts.items()}


def write_checklist(checklist: Checklist, ropa_entry: dict, directory: str | Path) -> list[Path]:
    """Write the four files into `directory` (a staging folder of `atomic.output_dir`, or the final one)."""
    written = []
    for name, data in checklist_files(checklist, ropa_entry).items():
        atomic.write_bytes(Path(directory) / name, data)
        written.append(Path(directory) / name)
    return written
