"""The questionnaire service (FastAPI): the widget, the form, answers, preferences, erasure, admin exports.

`create_app()` wires a store, the settings and the themes; `outreach questionnaire serve` runs it on
uvicorn. Request bodies are read and checked by hand (validation.py) so that every refusal names the field
in French and nothing is stored half-way.
"""

from __future__ import annotations

import hmac
import json
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import parse_qs

from fastapi import BackgroundTasks, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from outreach import paths
from outreach.bounds import parse_json
from outreach.community import exports, pages
from outreach.community.audience import audience_csv, audience_rows
from outreach.community.config import QuestionnaireConfig, load_config
from outreach.community.confirmation import TooManyConfirmations, confirmation_email, confirmation_url
from outreach.community.limits import BodySizeLimit, DatabaseBuckets, RateLimit
from outreach.community.mailer import Mailer, MailError
from outreach.community.notice import Notice, render_notice, require_complete
from outreach.community.offer import Offer, PostcodeResolver, build_offer
from outreach.community.store import Confirmation, Store, confirmation_limit_key
from outreach.community.validation import AnswerRejected, FieldError, validate_answer, validate_change
from outreach.community.vocabulary import PURPOSES
from outreach.community.widget import questionnaire_data, widget_source
from outreach.datasets import shipped_areas, shipped_branches
from outreach.errors import InputError
from outreach.settings import NetworkSettings, load_settings
from outreach.themes import load_themes

log = logging.getLogger(__name__)

# the API's community export, as first published: the CLI's without last_interaction_at
API_COMMUNITY_COLUMNS = [c for c in exports.COMMUNITY_COLUMNS if c != "last_interaction_at"]


@dataclass
class Service:
    config: QuestionnaireConfig
    settings: NetworkSettings
    notice: Notice
    offer: Offer
    resolver: PostcodeResolver
    store: Store
    mailer: Mailer
    # the confirmation e-mails per address, in the database: every worker and instance shares them, and a
    # restart forgets nothing
    confirmation_buckets: DatabaseBuckets = field(init=False)

    def __post_init__(self):
        self.confirmation_buckets = DatabaseBuckets(self.store.engine, per_hour=self.config.confirmation_mails_per_hour,
                                                    forget_every=1)

    def questionnaire_json(self) -> dict:
        return questionnaire_data(self.config, self.settings, self.notice, self.offer)

    def preferences_url(self, token: str) -> str:
        return f"{self.config.public_url}/preferences/{token}"

    def send_confirmation(self, token: str) -> bool:
        """Send a fresh confirmation link to the person's address (the previous one stops working); False
        when there is nothing to confirm. A MailError says why the server did not take it; TooManyConfirmations
        that the address had its share for the hour (then nothing changes: the last link still works)."""
        member = self.store.by_token(token)
        if member is None or not member.awaiting_confirmation:
            return False
        allowed, wait = self.confirmation_buckets.allow(confirmation_limit_key(member.email))
        if not allowed:
            raise TooManyConfirmations(wait)
        made = self.store.new_confirmation(token)
        if made is None:
            return False
        member, confirmation = made
        msg = confirmation_email(member.email, member.consents, confirmation_url(self.config.public_url, confirmation),
                                 self.preferences_url(token), self.settings.network_name,
                                 self.config.confirmation_valid_days, self.mailer.sender)
        self.mailer.send([msg])
        return True

    def send_confirmation_later(self, token: str) -> None:
        """After the answer was acknowledged: a mail server down loses no answer; the person asks for the
        link again from their preference page, and the address stays unused until then. Without a mail
        server configured nothing is tried (the serve command says so once at start, not once per answer)."""
        if not self.mailer.configured:
            return
        try:
            self.send_confirmation(token)
        except MailError as exc:
            log.warning("lien de confirmation non envoyé : %s", exc)
        except TooManyConfirmations:  # the address is not logged: the log is no place for personal data
            log.warning("lien de confirmation non envoyé : trop de liens envoyés à cette adresse en une heure")


def build_service(store: Store | None = None, config: QuestionnaireConfig | None = None,
                  settings: NetworkSettings | None = None, themes=None,
                  resolver: PostcodeResolver | None = None, mailer: Mailer | None = None) -> Service:
    """Everything the app needs, checked at start: an incomplete notice or a sensitive theme stops it."""
    config = config or load_config()
    settings = settings or load_settings()
    require_complete(settings)
    if themes is None:
        themes = load_themes()
    if resolver is None:
        resolver = PostcodeResolver(shipped_branches(), shipped_areas())
    notice = render_notice(config, settings)
    store = store or Store()
    store.record_notice(notice)
    mailer = mailer or Mailer.from_settings(settings)
    return Service(config, settings, notice, build_offer(themes, config), resolver, store, mailer)


def rejected(errors: list[FieldError], status: int = 422) -> JSONResponse:
    detail = "réponse refusée : " + " ; ".join(f"{e.field} — {e.message}" for e in errors)
    return JSONResponse({"detail": detail, "errors": [e.as_json() for e in errors]}, status_code=status)


# an answer is a flat object with one level of lists and objects: anything deeper is refused before parsing
MAX_BODY_DEPTH = 4


async def read_json(request: Request):
    """The request's JSON body, or a 400 naming the problem: malformed, too deeply nested, a number too long
    to read, or a lone surrogate (\\ud800), which JSON allows but no database column can store."""
    body = await request.body()
    if not body:
        return None
    try:
        payload = parse_json(body.decode("utf-8"), "body", max_depth=MAX_BODY_DEPTH)
        json.dumps(payload, ensure_ascii=False).encode("utf-8")
    except UnicodeDecodeError as exc:
        raise AnswerRejected([FieldError("body", "le corps n'est pas en UTF-8 : envoyez un objet JSON valide en "
                                         "UTF-8.")]) from exc
    except UnicodeEncodeError as exc:
        raise AnswerRejected([FieldError("body", "caractère invalide (moitié de paire UTF-16 isolée) : envoyez "
                                         "du texte Unicode valide.")]) from exc
    except InputError as exc:
        raise AnswerRejected([FieldError("body", f"JSON refusé ({exc.message.rstrip('.')}) : envoyez un objet "
                                         "JSON valide en UTF-8.")]) from exc
    return payload


def csv_response(text: str, filename: str) -> Response:
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})


def origin_of(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/')[0]}"


def cross_site(request: Request, public_url: str) -> bool:
    """A form sent from another site (CSRF): the browser says so in Sec-Fetch-Site, or in an Origin that is
    neither the service's public address nor the address it was reached at. A client that sends neither
    header is not a browser, so it cannot be made to send a form by a page it visits."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return True
    origin = request.headers.get("origin")
    if origin is None:
        return False
    own = {origin_of(public_url), f"{request.url.scheme}://{request.headers.get('host', '')}"}
    return origin.rstrip("/") not in own


def page_headers(script_origin: str | None = None) -> dict[str, str]:
    """Pages run no script of their own (the form page only the widget) and are never framed."""
    scripts = f"script-src 'self' {script_origin}; connect-src 'self' {script_origin}" if script_origin \
        else "script-src 'none'"
    return {"Content-Security-Policy": f"default-src 'none'; {scripts}; style-src 'unsafe-inline'; "
                                       "img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
            "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


def create_app(service: Service | None = None, **kwargs) -> FastAPI:
    svc = service or build_service(**kwargs)
    app = FastAPI(title="Questionnaire centres d'intérêt — médiathèques", docs_url=None, redoc_url=None,
                  openapi_url=None)
    app.state.service = svc

    def is_admin(request: Request) -> bool:
        expected = paths.admin_token()
        given = request.headers.get("authorization", "")
        return bool(expected) and hmac.compare_digest(given.encode(), f"Bearer {expected}".encode())

    def forbidden() -> JSONResponse:
        if not paths.admin_token():
            return JSONResponse({"detail": "accès administrateur désactivé : définissez OUTREACH_ADMIN_TOKEN."},
                                status_code=503)
        return JSONResponse({"detail": "jeton administrateur manquant ou invalide."}, status_code=401,
                            headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request, exc: StarletteHTTPException):
        messages = {404: "adresse inconnue.", 405: "méthode non acceptée pour cette adresse."}
        return JSONResponse({"detail": messages.get(exc.status_code, "requête refusée.")},
                            status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(AnswerRejected)
    async def _rejected(_request, exc: AnswerRejected):
        status = 400 if exc.errors and exc.errors[0].field == "body" else 422
        return rejected(exc.errors, status)

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    @app.get("/favicon.ico")
    def favicon():
        return Response(status_code=204)  # browsers ask for it; nothing to show

    @app.get("/widget.js")
    def widget():
        return Response(widget_source(), media_type="application/javascript; charset=utf-8",
                        headers={"Cache-Control": "public, max-age=300"})

    @app.get("/questionnaire", response_class=HTMLResponse)
    def questionnaire_page():
        return HTMLResponse(pages.questionnaire_page(svc.config.title, svc.config.public_url),
                            headers=page_headers(origin_of(svc.config.public_url)))

    @app.get("/api/questionnaire")
    def questionnaire_json():
        return svc.questionnaire_json()

    @app.post("/api/responses", status_code=201)
    async def submit(request: Request, background: BackgroundTasks):
        if not request.headers.get("content-type", "").startswith("application/json"):
            # JSON only: a cross-site form or a text/plain "simple request" cannot skip the CORS preflight
            return JSONResponse({"detail": "envoyez la réponse en JSON (Content-Type: application/json).",
                                 "errors": [{"field": "body", "message": "type de contenu non accepté"}]},
                                status_code=415)
        answer = validate_answer(await read_json(request), svc.offer, svc.resolver, svc.notice.version)
        if svc.store.is_sqlite:
            # one writer at a time anyway, and no network wait: inline is fastest
            token = svc.store.add_answer(answer, svc.notice)
        else:
            # a server database: let several transactions wait on the network at once
            token = await run_in_threadpool(svc.store.add_answer, answer, svc.notice)
        if token and answer.email:
            background.add_task(svc.send_confirmation_later, token)  # sent once the answer is acknowledged
        # an answer that grants nothing is only counted: no token, no link, nothing to manage
        return JSONResponse({"token": token, "preferences_url": svc.preferences_url(token) if token else None,
                             "branch_id": answer.placement.branch_id,
                             "branch_name": answer.placement.branch_name,
                             "confirmation_sent_to": answer.email if token else None}, status_code=201,
                            headers={"Cache-Control": "no-store"})

    @app.get("/confirmation/{confirmation}", response_class=HTMLResponse)
    def confirmation_page(confirmation: str):
        # a page with a button, not the confirmation itself: mail filters open every link of a message
        return HTMLResponse(pages.confirmation_page(confirmation), headers=page_headers())

    @app.post("/confirmation/{confirmation}", response_class=HTMLResponse)
    async def confirm(confirmation: str, request: Request):
        if cross_site(request, svc.config.public_url):
            return HTMLResponse(pages.message_page("Demande refusée", "La confirmation ne peut être envoyée que "
                                                   "depuis la page du lien reçu par e-mail : ouvrez-le et "
                                                   "recommencez.", "errors"), status_code=403)
        outcome = await run_in_threadpool(svc.store.confirm, confirmation,
                                          timedelta(days=svc.config.confirmation_valid_days))
        if outcome is Confirmation.CONFIRMED:
            return HTMLResponse(pages.message_page("Adresse confirmée", "Merci : votre adresse e-mail est confirmée. "
                                                   "La médiathèque pourra l'utiliser pour ce que vous avez "
                                                   "choisi ; vous pouvez changer d'avis à tout moment depuis "
                                                   "votre lien de gestion."), headers=page_headers())
        if outcome is Confirmation.EXPIRED:
            return HTMLResponse(pages.message_page("Lien expiré", "Ce lien de confirmation a expiré : demandez-en "
                                                   "un nouveau depuis la page de gestion de vos choix. Votre "
                                                   "adresse n'est pas utilisée d'ici là.", "errors"),
                                status_code=410, headers=page_headers())
        return HTMLResponse(pages.message_page("Lien inconnu", "Ce lien de confirmation ne correspond à aucune "
                                               "adresse en attente : il a peut-être été remplacé par un lien plus "
                                               "récent, ou l'adresse a été effacée.", "errors"), status_code=404,
                            headers=page_headers())

    @app.delete("/api/responses/{token}", status_code=204)
    def erase(token: str):
        if not svc.store.erase(token, channel="api"):
            return JSONResponse({"detail": "lien inconnu ou données déjà effacées."}, status_code=404)
        return Response(status_code=204)

    def not_found_page() -> HTMLResponse:
        return HTMLResponse(pages.message_page("Lien inconnu", "Ce lien ne correspond à aucune réponse : elle a "
                                               "peut-être déjà été effacée.", "errors"), status_code=404)

    def member_json(member) -> dict:
        return {"interests": member.interests, "postcode": member.postcode, "area_name": member.area_name,
                "branch_id": member.branch_id, "age_band": member.age_band, "email": member.email,
                "consents": member.consents, "email_confirmed": member.email_confirmed,
                "usable_consents": member.usable_consents, "notice_version": member.notice_version,
                "created_at": member.created_at.isoformat() + "Z",
                "last_interaction_at": member.last_interaction_at.isoformat() + "Z"}

    @app.get("/preferences/{token}")
    def preferences(token: str, request: Request):
        member = svc.store.by_token(token)
        if member is None:
            return not_found_page()
        svc.store.touch(token)
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse(member_json(member), headers={"Cache-Control": "no-store"})
        return HTMLResponse(pages.preferences_page(member, svc.offer, svc.notice,
                                                   svc.resolver.branch_name(member.branch_id), token),
                            headers=page_headers())

    @app.post("/preferences/{token}")
    async def change_preferences(token: str, request: Request):
        # every store call of this async endpoint runs in the thread pool: a database that makes it wait
        # (a reader holding SQLite's log during an erasure) never stops the event loop, i.e. the server
        member = await run_in_threadpool(svc.store.by_token, token)
        is_form = request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
        if member is None:
            return not_found_page() if is_form else JSONResponse({"detail": "lien inconnu."}, status_code=404)
        if is_form and cross_site(request, svc.config.public_url):
            return HTMLResponse(pages.message_page("Demande refusée", "Ce formulaire ne peut être envoyé que depuis "
                                                   "la page de gestion de vos choix : ouvrez le lien reçu et "
                                                   "recommencez.", "errors"), status_code=403)
        if is_form:
            fields = parse_qs((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)
            action = fields.get("action", ["update"])[0]
            payload = {"interests": fields.get("interests", []), "postcode": fields.get("postcode", [""])[0],
                       "age_band": fields.get("age_band", [""])[0], "email": fields.get("email", [""])[0],
                       "consents": {p: f"consent_{p}" in fields for p in PURPOSES}}
        else:
            payload = await read_json(request)
            if not isinstance(payload, dict):
                raise AnswerRejected([FieldError("body", "le corps de la requête doit être un objet JSON.")])
            action = payload.pop("action", "update")
        branch = svc.resolver.branch_name(member.branch_id)
        if action == "delete":
            await run_in_threadpool(svc.store.erase, token, channel="preferences")
            if is_form:
                return HTMLResponse(pages.message_page("Données effacées", "Vos données ont été effacées. "
                                                       "Merci de l'intérêt porté à la médiathèque."))
            return Response(status_code=204)
        if action == "withdraw":
            member = await run_in_threadpool(svc.store.withdraw_all, token, svc.notice, channel="preferences")
            saved = "Vos consentements sont retirés et votre adresse e-mail est effacée."
        elif action == "update":
            try:
                new = validate_change(payload, svc.offer, svc.resolver, member.state(branch))
            except AnswerRejected as exc:
                if not is_form:
                    raise
                return HTMLResponse(pages.preferences_page(member, svc.offer, svc.notice, branch, token,
                                                           errors=exc.errors), status_code=422,
                                    headers=page_headers())
            before = member
            member = await run_in_threadpool(svc.store.change, token, new, svc.notice, channel="preferences")
            saved = "Vos choix sont enregistrés."
            if member.awaiting_confirmation and not (before.awaiting_confirmation and before.email == member.email):
                saved += " " + await send_link(token, member.email)  # the change stands, sent or not
        elif action == "resend":
            if not member.awaiting_confirmation:
                saved = "Votre adresse est déjà confirmée, ou aucun choix ne la demande."
            else:
                try:
                    saved = await send_link(token, member.email, refuse_when_limited=True)
                except TooManyConfirmations as exc:
                    if not is_form:
                        return JSONResponse({"detail": exc.message}, status_code=429,
                                            headers={"Retry-After": str(exc.retry_after), "Cache-Control": "no-store"})
                    return HTMLResponse(pages.preferences_page(member, svc.offer, svc.notice,
                                                               svc.resolver.branch_name(member.branch_id), token,
                                                               refused=exc.message),
                                        status_code=429, headers=page_headers() | {"Retry-After": str(exc.retry_after)})
        else:
            raise AnswerRejected([FieldError("action", "action inconnue : update, resend, withdraw ou delete.")])
        if is_form:
            return HTMLResponse(pages.preferences_page(member, svc.offer, svc.notice,
                                                       svc.resolver.branch_name(member.branch_id), token,
                                                       saved=saved), headers=page_headers())
        return JSONResponse(member_json(member), headers={"Cache-Control": "no-store"})

    async def send_link(token: str, address: str | None, refuse_when_limited: bool = False) -> str:
        """Send the confirmation link now and say so, or say why it could not be sent (a resend refused by the
        limit per address raises, for its own answer)."""
        try:
            await run_in_threadpool(svc.send_confirmation, token)
        except MailError:
            return ("Le lien de confirmation n'a pas pu être envoyé (serveur d'e-mails indisponible) : réessayez "
                    "plus tard avec « Renvoyer le lien de confirmation ».")
        except TooManyConfirmations as exc:
            if refuse_when_limited:
                raise
            return exc.message
        return f"Un lien de confirmation vient d'être envoyé à {address} : ouvrez-le pour confirmer votre adresse."

    @app.post("/unsubscribe/{token}")
    def unsubscribe(token: str):
        """One-click unsubscribe (RFC 8058 List-Unsubscribe-Post) and the button of the e-mails."""
        if svc.store.unsubscribe(token, svc.notice, channel="email") is None:
            return not_found_page()
        return HTMLResponse(pages.message_page("Désinscription faite", "Vous ne recevrez plus d'e-mail de la "
                                               "médiathèque. Vous pouvez revenir sur ce choix à tout moment "
                                               "depuis votre lien de gestion."))

    @app.get("/api/stats")
    def stats(request: Request):
        if not is_admin(request):
            return forbidden()
        rows = svc.store.stats()
        for row in rows:
            row["theme_label"] = svc.offer.label(row["theme_id"])
            row["branch_name"] = svc.resolver.branch_name(row["branch_id"])
        return {"members": svc.store.count(), "by_theme_and_branch": rows}

    @app.get("/api/exports/{name}")
    def export(name: str, request: Request):
        if not is_admin(request):
            return forbidden()
        if name == "community.csv":
            return csv_response(exports.csv_text(exports.community_rows(svc.store), API_COMMUNITY_COLUMNS), name)
        if name == "proofs.csv":
            return csv_response(exports.csv_text(exports.proof_rows(svc.store), exports.PROOF_COLUMNS), name)
        if name == "meta-audience.csv":
            return csv_response(audience_csv(audience_rows(svc.store)), name)
        return JSONResponse({"detail": "export inconnu : community.csv, proofs.csv ou meta-audience.csv."},
                            status_code=404)

    # innermost first: limits run before the app, CORS wraps everything (refusals carry CORS headers too)
    # on a server database the buckets live there, shared by every worker and instance; on SQLite (one
    # process) they stay in memory, which costs no write per request
    shared = None if svc.store.is_sqlite else DatabaseBuckets(svc.store.engine, svc.config.rate_limit_per_minute)
    app.add_middleware(RateLimit, per_minute=svc.config.rate_limit_per_minute, shared=shared,
                       trust_forwarded_for=svc.config.trust_forwarded_for,
                       trusted_proxies=svc.config.trusted_proxies)
    app.add_middleware(BodySizeLimit, max_bytes=svc.config.max_body_bytes)
    app.add_middleware(CORSMiddleware, allow_origins=svc.config.allowed_origins,
                       allow_methods=["GET", "POST", "DELETE"], allow_headers=["Content-Type"],
                       allow_credentials=False, max_age=600)
    return app



def app_from_environment() -> FastAPI:
    """The app each worker process builds (`outreach questionnaire serve --workers N`): the database, the
    settings and the questionnaire's file come from the OUTREACH_* environment."""
    return create_app()
