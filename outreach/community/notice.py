"""The information notice shown before anyone answers (FORM-01, CA-03, TGT-04), and its fingerprint.

The notice is built from the network settings (controller, DPO) and the questionnaire settings (retention).
Its exact text is hashed: every proof of consent records the version and the SHA-256 of the text shown.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from outreach.community.config import QuestionnaireConfig
from outreach.community.vocabulary import PURPOSE_SHORT
from outreach.errors import InputError
from outreach.settings import NetworkSettings


@dataclass(frozen=True)
class Notice:
    version: str
    sections: tuple[tuple[str, str], ...]  # (heading, paragraph), in French

    @property
    def text(self) -> str:
        return "\n\n".join(f"{heading}\n{body}" for heading, body in self.sections)

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def as_json(self) -> dict:
        return {"version": self.version, "hash": self.hash,
                "sections": [{"title": h, "text": b} for h, b in self.sections]}


def missing_fields(settings: NetworkSettings) -> list[str]:
    """What the notice cannot do without (FORM-01): the controller and the DPO."""
    missing = []
    if not settings.controller_name.strip():
        missing.append("controller_name (responsable du traitement : la commune)")
    if not settings.dpo_contact.strip():
        missing.append("dpo_contact (contact du délégué à la protection des données)")
    return missing


def require_complete(settings: NetworkSettings) -> None:
    missing = missing_fields(settings)
    if missing:
        raise InputError("la notice d'information ne peut pas être affichée sans : " + ", ".join(missing) + ".",
                         where="paramètres du réseau", field=missing[0].split(" ")[0],
                         fix="Renseignez-les sur la page Paramètres (network.yaml) avant d'ouvrir le questionnaire.")


def render_notice(config: QuestionnaireConfig, settings: NetworkSettings) -> Notice:
    controller = settings.controller_name.strip() or "(responsable du traitement à renseigner)"
    dpo = settings.dpo_contact.strip() or "(contact du délégué à la protection des données à renseigner)"
    rights = config.rights_contact.strip() or dpo
    years = config.retention_months // 12
    duration = f"{years} ans" if config.retention_months % 12 == 0 else f"{config.retention_months} mois"
    sections = (
        ("Qui traite vos données",
         f"{controller}, pour {settings.network_name}, est responsable du traitement. Ce questionnaire est "
         "distinct des conditions d'utilisation des services en ligne de la commune."),
        ("Délégué à la protection des données", f"Vous pouvez le contacter : {dpo}."),
        ("Pourquoi, et sur quelle base",
         "Chaque usage repose sur votre consentement, demandé séparément, case par case ; aucune case n'est "
         "cochée d'avance. " + " ; ".join(f"« {label} »" for label in PURPOSE_SHORT.values()) + "."),
        ("Quelles données",
         "Vos centres d'intérêt, choisis dans une liste fermée sans thème sensible (santé, religion, opinions, "
         "orientation sexuelle n'y figurent pas) ; votre code postal, qui donne votre commune et la médiathèque "
         "la plus proche ; votre tranche d'âge, si vous l'indiquez ; votre adresse e-mail, seulement si vous "
         "acceptez un usage par e-mail. Ni adresse postale, ni date de naissance, ni texte libre."),
        ("Profilage",
         "Si vous l'acceptez, vos centres d'intérêt servent à choisir les documents et les animations qui vous "
         "sont recommandés. Sans ce choix, vous recevez l'actualité générale de votre médiathèque."),
        ("Destinataires",
         "Le service communication des médiathèques. Si vous acceptez les publicités sur Facebook et Instagram : "
         "Meta Platforms Ireland Ltd, responsable conjoint avec la commune pour le rapprochement de votre adresse "
         "e-mail chiffrée (accord de responsable conjoint de Meta, dont l'essentiel vous est communiqué sur "
         "demande) ; Meta efface les empreintes après le rapprochement. Des données peuvent être transférées aux "
         "États-Unis (Meta Platforms Inc.), encadrées par le cadre de protection des données UE–États-Unis "
         "(décision d'adéquation du 10 juillet 2023)."),
        ("Combien de temps",
         f"{duration} après votre dernier contact actif (réponse, clic, modification de vos choix), puis "
         "suppression. La preuve de votre consentement, sans votre adresse e-mail, est gardée "
         f"{config.proof_retention_years} ans pour pouvoir répondre à une réclamation."),
        ("Vos droits",
         "Vous pouvez accéder à vos données, les rectifier, les effacer, en limiter l'usage, les récupérer et "
         "vous opposer à leur usage ; vous pouvez retirer chaque consentement à tout moment, aussi facilement "
         "que vous l'avez donné : par le lien de gestion de vos choix remis après votre réponse, ou par le lien "
         f"de désinscription de chaque e-mail. Pour exercer vos droits : {rights}. Nous répondons dans le "
         "mois. Vous pouvez adresser une réclamation à la CNIL (www.cnil.fr)."),
        ("Facultatif",
         "Répondre est facultatif. Refuser ou ignorer ce questionnaire n'a aucune conséquence sur votre accès "
         "aux services de la commune ni à la médiathèque."),
    )
    if config.privacy_policy_url:
        sections += (("Pour en savoir plus", f"La politique de confidentialité de la commune : "
                                              f"{config.privacy_policy_url}"),)
    return Notice(version=config.notice_version, sections=sections)
