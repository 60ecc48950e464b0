"""A real WordPress (Debian's package) on 127.0.0.1, for the tests that create drafts through its REST API.

The package's files are copied to a temporary folder with a configuration of our own (Debian's reads
/etc/wordpress, which the tests leave alone); MariaDB runs on a private socket in that folder; PHP's
built-in server serves it. Skipped when the packages are absent, except in CI (OUTREACH_REQUIRE_E2E=1),
which installs them (`wordpress`, `wordpress-theme-twentytwentythree`, `php-cli`, `php-mysql`,
`mariadb-server`).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

PACKAGE = Path("/usr/share/wordpress")
THEMES = [Path("/usr/share/wordpress/wp-content/themes"), Path("/var/lib/wordpress/wp-content/themes")]
HERE = Path(__file__).parent / "wordpress"


def available() -> str | None:
    """Why a real WordPress cannot run here, or None."""
    for need in ("php", "mariadbd", "mariadb-install-db"):
        if not shutil.which(need) and not Path(f"/usr/sbin/{need}").exists():
            return f"{need} absent"
    if not (PACKAGE / "wp-settings.php").exists():
        return "paquet wordpress absent"
    if not any((t / "twentytwentythree").exists() for t in THEMES):
        return "thème twentytwentythree absent"
    return None


def require_wordpress() -> None:
    reason = available()
    if reason is None:
        return
    if os.environ.get("OUTREACH_REQUIRE_E2E") == "1":
        pytest.fail(f"WordPress réel indisponible : {reason} (OUTREACH_REQUIRE_E2E=1)")
    pytest.skip(f"WordPress réel indisponible : {reason}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sbin(name: str) -> str:
    return shutil.which(name) or f"/usr/sbin/{name}"


class WordPressServer:
    def __init__(self, folder: Path):
        self.folder = folder
        self.port = _free_port()
        self.host = f"127.0.0.1:{self.port}"
        self.url = f"http://{self.host}"
        self.user = "admin"
        self.app_password = ""
        self.processes: list[subprocess.Popen] = []

    def start(self) -> WordPressServer:
        root, data = self.folder / "wordpress", self.folder / "mysql"
        content = root / "wp-content"  # inside the served folder, so that uploads have a public address
        shutil.copytree(PACKAGE, root, symlinks=False, ignore=shutil.ignore_patterns("wp-config.php", "wp-content"))
        (content / "uploads").mkdir(parents=True)
        theme = next(t / "twentytwentythree" for t in THEMES if (t / "twentytwentythree").exists())
        shutil.copytree(theme, content / "themes" / "twentytwentythree")
        sock = self.folder / "mysql.sock"
        config = (HERE / "wp-config.php.in").read_text()
        for key, value in {"@SOCKET@": str(sock), "@CONTENT@": str(content), "@HOST@": self.host}.items():
            config = config.replace(key, value)
        (root / "wp-config.php").write_text(config)
        user = ["--user=root"] if os.geteuid() == 0 else []
        subprocess.run([_sbin("mariadb-install-db"), f"--datadir={data}", "--auth-root-authentication-method=normal",
                        "--skip-test-db", *user], check=True, capture_output=True, timeout=120)
        self.processes.append(subprocess.Popen(
            [_sbin("mariadbd"), "--no-defaults", f"--datadir={data}", f"--socket={sock}", "--skip-networking",
             f"--pid-file={self.folder / 'mysql.pid'}", "--skip-log-bin", *user],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for _ in range(300):
            if sock.exists() and subprocess.run(["mariadb", f"--socket={sock}", "-uroot", "-e",
                                                 "CREATE DATABASE IF NOT EXISTS wordpress"],
                                                capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("MariaDB n'a pas démarré")
        env = {**os.environ, "WP_TEST_HOST": self.host, "WP_TEST_ROOT": str(root)}
        installed = subprocess.run(["php", str(HERE / "install.php")], env=env, capture_output=True, text=True,
                                   timeout=120)
        if installed.returncode != 0 or not installed.stdout.strip():
            raise RuntimeError(f"installation de WordPress : {installed.stdout[-500:]} {installed.stderr[-500:]}")
        self.app_password = installed.stdout.strip().splitlines()[-1]
        self.processes.append(subprocess.Popen(
            ["php", "-S", self.host, "-t", str(root)], cwd=root, env={**os.environ, "PHP_CLI_SERVER_WORKERS": "4"},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        for _ in range(100):
            try:
                if httpx.get(f"{self.url}/?rest_route=/", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("le serveur PHP de WordPress n'a pas démarré")

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.args[:2] == ["php", "-S"]:
                # PHP's server forks its workers, which outlive a terminated parent: end its whole group
                os.killpg(process.pid, signal.SIGTERM)
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
