"""Hosting the questionnaire for municipal IT: a container image, a compose file (the service, PostgreSQL, Caddy
for TLS) and a Caddyfile, all made from the questionnaire's public address, runnable with one command:

    docker compose up -d        (or: podman compose up -d)

Caddy obtains and renews the certificate of the public address by itself (ACME), so the address must be an
https:// one with a real host name: an IP address or localhost is refused, since no certificate authority would
sign it. The service runs behind Caddy, so the bundle's questionnaire settings trust X-Forwarded-For (the rate
limit then counts people, not the proxy). No secret is written into the bundle: the database password and the
admin token are generated into `.env` by the one who runs it (`LISEZMOI.md` says how).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlparse

import yaml

from outreach.community.config import QuestionnaireConfig
from outreach.errors import InputError

PORT = 8765
POSTGRES_IMAGE = "postgres:16-alpine"
CADDY_IMAGE = "caddy:2-alpine"
PYTHON_IMAGE = "python:3.11-slim"


def public_host(config: QuestionnaireConfig) -> str:
    """The host name Caddy serves and certifies; an InputError when the address cannot have a certificate."""
    url = urlparse(config.public_url)
    host = url.hostname or ""
    fix = ("Indiquez l'adresse publique https:// du questionnaire, avec son nom de domaine (par ex. "
           "https://questionnaire.ville.fr), sur la page Questionnaire & communauté.")
    if url.scheme != "https":
        raise InputError(f"l'adresse publique « {config.public_url} » n'est pas en https://.",
                         field="Adresse publique du service", fix=fix)
    try:
        ipaddress.ip_address(host)
        is_ip = True
    except ValueError:
        is_ip = False
    if is_ip or host in ("localhost", "") or "." not in host or url.path not in ("", "/"):
        raise InputError(f"« {config.public_url} » n'est pas un nom de domaine public pour lequel Caddy peut "
                         "obtenir un certificat.", field="Adresse publique du service", fix=fix)
    return host


def dockerfile() -> str:
    return f"""# Image du service du questionnaire (outreach questionnaire serve).
FROM {PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt pyproject.toml README.md ./
COPY outreach ./outreach
COPY data ./data
RUN pip install --no-cache-dir . && useradd --system --home /app outreach
USER outreach
EXPOSE {PORT}
CMD ["outreach", "questionnaire", "--config", "/config/questionnaire.yaml", "serve", "--host", "0.0.0.0", "--port", "{PORT}"]
"""


def compose(config: QuestionnaireConfig) -> dict:
    public_host(config)
    database = "postgresql+psycopg://outreach:${POSTGRES_PASSWORD:?voir LISEZMOI.md}@db:5432/outreach"
    return {
        "name": "outreach-questionnaire",
        "services": {
            "db": {
                "image": POSTGRES_IMAGE,
                "restart": "unless-stopped",
                "environment": {"POSTGRES_DB": "outreach", "POSTGRES_USER": "outreach",
                                "POSTGRES_PASSWORD": "${POSTGRES_PASSWORD:?voir LISEZMOI.md}"},
                "volumes": ["db-data:/var/lib/postgresql/data"],
                "healthcheck": {"test": ["CMD-SHELL", "pg_isready -U outreach -d outreach"], "interval": "5s",
                                "timeout": "5s", "retries": 10},
            },
            "questionnaire": {
                "build": ".",
                "restart": "unless-stopped",
                "depends_on": {"db": {"condition": "service_healthy"}},
                "environment": {"OUTREACH_DATABASE_URL": database,
                                "OUTREACH_ADMIN_TOKEN": "${OUTREACH_ADMIN_TOKEN:?voir LISEZMOI.md}",
                                # the mail server's password (double opt-in links); the server itself is
                                # in network.yaml
                                "SMTP_PASSWORD": "${SMTP_PASSWORD:-}",
                                "OUTREACH_SETTINGS": "/config/network.yaml",
                                "OUTREACH_QUESTIONNAIRE": "/config/questionnaire.yaml"},
                "volumes": ["./config:/config:ro"],
                "expose": [str(PORT)],
            },
            "caddy": {
                "image": CADDY_IMAGE,
                "restart": "unless-stopped",
                "depends_on": ["questionnaire"],
                "ports": ["80:80", "443:443", "443:443/udp"],
                "volumes": ["./Caddyfile:/etc/caddy/Caddyfile:ro", "caddy-data:/data", "caddy-config:/config"],
            },
        },
        "volumes": {"db-data": {}, "caddy-data": {}, "caddy-config": {}},
    }


def caddyfile(config: QuestionnaireConfig) -> str:
    host = public_host(config)
    return f"""# Caddy : certificat TLS de {host} obtenu et renouvelé automatiquement, puis relais vers le service.
{host} {{
\tencode zstd gzip
\theader {{
\t\tStrict-Transport-Security "max-age=31536000"
\t\tX-Content-Type-Options "nosniff"
\t\tReferrer-Policy "strict-origin-when-cross-origin"
\t\t-Server
\t}}
\treverse_proxy questionnaire:{PORT}
}}
"""


def readme(config: QuestionnaireConfig) -> str:
    host = public_host(config)
    return f"""# Héberger le questionnaire sur {host}

Prérequis : un serveur Linux avec Docker (ou Podman) et son greffon « compose », joignable sur les ports 80
et 443, et un enregistrement DNS de {host} vers ce serveur.

1. Copiez ce dossier sur le serveur.
2. Créez le fichier `.env` avec deux secrets tirés au hasard (ils ne quittent pas le serveur) :

       printf 'POSTGRES_PASSWORD=%s\\nOUTREACH_ADMIN_TOKEN=%s\\n' "$(openssl rand -hex 24)" "$(openssl rand -hex 24)" > .env
       chmod 600 .env

   Ajoutez-y le mot de passe du serveur d'e-mails réglé dans l'outil (page Paramètres, « Envoi des e-mails ») :
   une ligne `SMTP_PASSWORD=…`. Sans serveur d'e-mails, les adresses données ne reçoivent pas de lien de
   confirmation et ne servent à rien.

3. Démarrez, en une commande :

       docker compose up -d

Caddy obtient le certificat de {host} ; le questionnaire répond sur {config.public_url}/questionnaire et
la ligne à coller dans les pages des services en ligne est :

    <script src="{config.public_url}/widget.js" defer></script>

Mise à jour : `docker compose up -d --build`. Sauvegarde : `docker compose exec db pg_dump -U outreach outreach`.
Les réglages (notice, thèmes proposés, sites autorisés) sont dans `config/` : refaites ce dossier depuis l'outil
après un changement.
"""


def bundle(config: QuestionnaireConfig, network_yaml: str) -> dict[str, str]:
    """Every file of the hosting folder, by relative path (the image's sources are added by the caller)."""
    behind_proxy = config.model_copy(update={"trust_forwarded_for": True})
    questionnaire_yaml = yaml.safe_dump(behind_proxy.model_dump(mode="json"), allow_unicode=True, sort_keys=False)
    return {
        "Dockerfile": dockerfile(),
        "compose.yaml": "# Le questionnaire, sa base PostgreSQL et Caddy (TLS) : docker compose up -d\n"
                        + yaml.safe_dump(compose(config), allow_unicode=True, sort_keys=False),
        "Caddyfile": caddyfile(config),
        "LISEZMOI.md": readme(config),
        "config/questionnaire.yaml": questionnaire_yaml,
        "config/network.yaml": network_yaml,
    }


# what the image is built from: the package, the shipped data and what pip needs
SOURCES = ("outreach", "data", "requirements.txt", "pyproject.toml", "README.md")


def write_bundle(config: QuestionnaireConfig, network_yaml: str, out_dir, sources_root) -> list[str]:
    """Write the hosting folder (bundle + the image's sources from `sources_root`), all or nothing."""
    import shutil
    from pathlib import Path

    from outreach import atomic

    files = bundle(config, network_yaml)  # an address Caddy cannot certify is refused before anything is written
    root = Path(sources_root)
    missing = [s for s in SOURCES if not (root / s).exists()]
    if missing:
        raise InputError(f"sources de l'image introuvables : {', '.join(missing)}.", file=root,
                         fix="Lancez la commande depuis une copie du dépôt outreach.")
    with atomic.output_dir(out_dir) as staging:
        for name, text in files.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_text(text, encoding="utf-8")
        for source in SOURCES:
            path = root / source
            if path.is_dir():
                shutil.copytree(path, staging / source, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                shutil.copyfile(path, staging / source)
    return sorted(files) + list(SOURCES)


def bundle_zip(config: QuestionnaireConfig, network_yaml: str, sources_root) -> bytes:
    """The hosting folder as a zip, for the Questionnaire page's download."""
    import io
    import tempfile
    import zipfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="hebergement-") as tmp:
        folder = Path(tmp) / "questionnaire"
        write_bundle(config, network_yaml, folder, sources_root)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    archive.write(path, Path("questionnaire") / path.relative_to(folder))
        return buffer.getvalue()
