"""Hosting the questionnaire: the bundle made from the public address, and the same services started here.

No container engine runs on this machine (nor in CI): the compose file is checked by `docker compose config`
(or podman's) and the image built where an engine runs; otherwise the test says so (a warning in pytest's
summary) and starts the same services directly: the compose file's questionnaire service, with the same command,
environment and configuration, on PostgreSQL when the test server is there (OUTREACH_TEST_POSTGRES_URL, as
.ci/run sets it) and on SQLite otherwise; then Debian's Caddy (.ci/run installs it) with the bundle's Caddyfile,
its certificate from Caddy's internal authority instead of Let's Encrypt (no internet in tests), on 127.0.0.1.
The widget is then fetched over https at the embed snippet's public address.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
import warnings
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from outreach.cli import main
from outreach.community.config import QuestionnaireConfig
from outreach.community.hosting import bundle, public_host
from outreach.errors import InputError
from tests.support import ROOT
from tests.support.compliance_helpers import NETWORK_YAML

PUBLIC = "https://questionnaire.ville.example.fr"


@pytest.mark.parametrize("address", ["http://127.0.0.1:8765", "http://questionnaire.ville.fr",
                                     "https://192.168.1.20", "https://localhost:8443", "https://intranet",
                                     "https://www.ville.fr/questionnaire"])
def test_an_address_caddy_cannot_certify_is_refused(address):
    with pytest.raises(InputError) as caught:
        public_host(QuestionnaireConfig(public_url=address))
    assert caught.value.field == "Adresse publique du service" and "https://" in caught.value.fix


def test_the_bundle_is_made_from_the_public_address():
    files = bundle(QuestionnaireConfig(public_url=PUBLIC), "network_name: Médiathèques\n")
    compose = yaml.safe_load(files["compose.yaml"])
    assert set(compose["services"]) == {"db", "questionnaire", "caddy"}
    assert compose["services"]["questionnaire"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "443:443" in compose["services"]["caddy"]["ports"]
    assert compose["services"]["questionnaire"]["environment"]["OUTREACH_DATABASE_URL"].startswith(
        "postgresql+psycopg://outreach:${POSTGRES_PASSWORD")
    assert files["Caddyfile"].splitlines()[1] == "questionnaire.ville.example.fr {"
    behind = yaml.safe_load(files["config/questionnaire.yaml"])
    assert behind["trust_forwarded_for"] is True and behind["public_url"] == PUBLIC
    assert f'<script src="{PUBLIC}/widget.js" defer></script>' in files["LISEZMOI.md"]
    assert "docker compose up -d" in files["LISEZMOI.md"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_folder_is_written_and_its_services_run(tmp_path, monkeypatch):
    (tmp_path / "network.yaml").write_text(NETWORK_YAML, encoding="utf-8")  # controller and DPO: the notice's
    monkeypatch.setenv("OUTREACH_SETTINGS", str(tmp_path / "network.yaml"))
    config = tmp_path / "questionnaire.yaml"
    config.write_text(f"public_url: {PUBLIC}\n", encoding="utf-8")
    out = tmp_path / "hebergement"
    assert main(["questionnaire", "--config", str(config), "hosting", "--out", str(out)]) == 0
    assert (out / "outreach" / "community" / "static" / "widget.js").is_file() and (out / "data").is_dir()
    compose = yaml.safe_load((out / "compose.yaml").read_text(encoding="utf-8"))

    engine = next((e for e in ("docker", "podman") if shutil.which(e) and subprocess.run(
        [e, "compose", "version"], capture_output=True).returncode == 0), None)
    if engine:  # the engine's own reading of the file: variables, dependencies, volumes
        env = dict(os.environ, POSTGRES_PASSWORD="x", OUTREACH_ADMIN_TOKEN="y")
        subprocess.run([engine, "compose", "config", "-q"], cwd=out, env=env, check=True)
        if subprocess.run([engine, "info"], capture_output=True).returncode == 0:
            subprocess.run([engine, "compose", "build", "questionnaire"], cwd=out, env=env, check=True)
        else:
            warnings.warn(f"{engine} lit le fichier compose mais aucun moteur ne tourne ici : l'image n'est pas "
                          "construite ; les services sont démarrés directement.", stacklevel=1)
    else:
        warnings.warn("Aucun moteur de conteneurs avec « compose » ici : ni lecture du fichier par le moteur ni "
                      "image construite ; les services du compose sont démarrés directement (questionnaire, "
                      "PostgreSQL, Caddy), même commande, même environnement.", stacklevel=1)

    service = compose["services"]["questionnaire"]
    server = os.environ.get("OUTREACH_TEST_POSTGRES_URL")
    database = fresh_postgres_database(server) if server else f"sqlite:///{tmp_path / 'q.sqlite'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OUTREACH_")}
    env |= {k: v.replace("/config/", f"{out}/config/") for k, v in service["environment"].items()}
    env |= {"OUTREACH_DATABASE_URL": database, "OUTREACH_ADMIN_TOKEN": "jeton-admin-de-test",
            "OUTREACH_CACHE_DIR": str(tmp_path / "cache")}
    dockerfile_cmd = (out / "Dockerfile").read_text(encoding="utf-8").splitlines()[-1]
    assert dockerfile_cmd.startswith("CMD [\"outreach\", \"questionnaire\", \"--config\", \"/config/questionnaire.yaml\"")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "outreach", "questionnaire", "--config",
                             str(out / "config" / "questionnaire.yaml"), "serve", "--host", "127.0.0.1",
                             "--port", str(port)], cwd=out, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=1):
                    break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail("le service s'est arrêté :\n" + proc.stdout.read().decode(errors="replace"))
                if time.time() > deadline:
                    pytest.fail("le service ne répond pas en 60 s")
                time.sleep(0.2)
        with urllib.request.urlopen(f"{url}/questionnaire", timeout=5) as r:
            page = r.read().decode("utf-8")
        assert r.status == 200 and PUBLIC in page  # links point to the public https address
        with urllib.request.urlopen(f"{url}/widget.js", timeout=5) as r:
            assert r.status == 200
        if shutil.which("caddy"):
            through_caddy(out, port, tmp_path / "caddy")
        else:
            warnings.warn("Caddy absent (apt-get install caddy) : le relais TLS n'est pas essayé.", stacklevel=1)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_without_controller_and_dpo_the_folder_is_refused(tmp_path, capsys):
    config = tmp_path / "questionnaire.yaml"
    config.write_text(f"public_url: {PUBLIC}\n", encoding="utf-8")
    assert main(["questionnaire", "--config", str(config), "hosting", "--out", str(tmp_path / "h")]) == 2
    assert "responsable du traitement" in capsys.readouterr().err and not (tmp_path / "h").exists()


def test_an_http_address_writes_nothing(tmp_path, monkeypatch):
    (tmp_path / "network.yaml").write_text(NETWORK_YAML, encoding="utf-8")
    monkeypatch.setenv("OUTREACH_SETTINGS", str(tmp_path / "network.yaml"))
    config = tmp_path / "questionnaire.yaml"
    config.write_text("public_url: http://127.0.0.1:8765\n", encoding="utf-8")
    assert main(["questionnaire", "--config", str(config), "hosting", "--out", str(tmp_path / "h")]) == 2
    assert not (tmp_path / "h").exists()


def test_the_image_sources_are_in_the_repository():
    from outreach.community.hosting import SOURCES

    assert all((ROOT / s).exists() for s in SOURCES)
    assert Path(ROOT / "outreach" / "community" / "static" / "widget.js").is_file()


def fresh_postgres_database(url: str) -> str:
    """A new, empty database on the tests' PostgreSQL server: the shared one holds other tests' notices, and a
    notice whose text differs under the same version is rightly refused (FORM-08)."""
    import uuid

    import psycopg

    name = f"hosting_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name


class PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to the public host name (SNI, Host, certificate check) on 127.0.0.1, as DNS would lead there."""

    def connect(self):
        raw = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


def through_caddy(out: Path, service_port: int, home: Path) -> None:
    """Debian's Caddy with the bundle's Caddyfile (only the upstream's address and the certificate authority
    differ), then the embed snippet's address fetched over TLS, its certificate checked against Caddy's root."""
    home.mkdir()
    https_port = free_port()
    site = (out / "Caddyfile").read_text(encoding="utf-8")
    assert f"reverse_proxy questionnaire:{8765}" in site
    site = site.replace("reverse_proxy questionnaire:8765", f"reverse_proxy 127.0.0.1:{service_port}")
    host = urlparse(PUBLIC).hostname
    site = site.replace(f"{host} {{", f"{host}:{https_port} {{\n\tbind 127.0.0.1\n\ttls internal")
    (home / "Caddyfile").write_text(
        "{\n\tadmin off\n\tskip_install_trust\n\tauto_https disable_redirects\n"
        f"\tstorage file_system {home / 'data'}\n}}\n" + site, encoding="utf-8")
    env = dict(os.environ, HOME=str(home), XDG_DATA_HOME=str(home / "xdg-data"),
               XDG_CONFIG_HOME=str(home / "xdg-config"))
    proc = subprocess.Popen(["caddy", "run", "--config", str(home / "Caddyfile"), "--adapter", "caddyfile"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    root = home / "data" / "pki" / "authorities" / "local" / "root.crt"
    try:
        snippet = re.search(r'<script src="([^"]+)" defer></script>', (out / "LISEZMOI.md").read_text("utf-8"))
        widget_url = urlparse(snippet.group(1))
        assert f"{widget_url.scheme}://{widget_url.hostname}" == PUBLIC and widget_url.path == "/widget.js"
        deadline = time.time() + 30
        while True:
            try:
                context = ssl.create_default_context(cafile=str(root))
                connection = PinnedHTTPS(widget_url.hostname, https_port, timeout=5, context=context)
                connection.request("GET", widget_url.path)
                response = connection.getresponse()
                body = response.read().decode("utf-8")
                break
            except (OSError, ssl.SSLError):
                if proc.poll() is not None:
                    pytest.fail("Caddy s'est arrêté :\n" + proc.stdout.read().decode(errors="replace"))
                if time.time() > deadline:
                    pytest.fail("Caddy ne sert pas le questionnaire en https en 30 s")
                time.sleep(0.3)
        assert response.status == 200 and "outreach-questionnaire" in body
        assert response.getheader("Strict-Transport-Security") == "max-age=31536000"
        assert response.getheader("Server") is None
        connection.request("GET", "/questionnaire")
        page = connection.getresponse()
        assert page.status == 200 and PUBLIC in page.read().decode("utf-8")
        connection.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
