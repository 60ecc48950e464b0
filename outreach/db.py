"""The one SQLAlchemy engine factory: a SQLite file by default, PostgreSQL (or any database) by URL.

The results store and the consent store share the database (OUTREACH_DATABASE_URL), so they share one
engine per URL and one set of SQLite settings; two engines on the same file with different settings would
let one of them write without WAL or without foreign keys.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from outreach import paths
from outreach.errors import InputError, register_secret

_engines: dict[str, Engine] = {}

URL_FIX = ("Vérifiez l'adresse (sqlite:///chemin/outreach.sqlite ou postgresql+psycopg://utilisateur@serveur/base), "
           "les droits d'accès et que le serveur est démarré.")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers (the app) never wait for an import or an answer
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable at each checkpoint, safe with WAL
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA secure_delete=ON")  # erased members are overwritten with zeros (GDPR erasure)
    cursor.execute("PRAGMA busy_timeout=30000")  # the questionnaire service and an import may write together
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB: a million-row import keeps its index in memory
    cursor.close()


def unavailable(exc: Exception) -> InputError:
    """A wrong address or a server down, said in French; the class of the error only, because the message
    of some drivers repeats the URL and its password."""
    return InputError(f"base de données invalide ou inaccessible ({exc.__class__.__name__}).",
                      where="OUTREACH_DATABASE_URL", field="OUTREACH_DATABASE_URL", fix=URL_FIX)


def engine(url: str | None = None) -> Engine:
    """One engine per URL for the process (the default database when `url` is None)."""
    url = url or paths.database_url()
    if url not in _engines:
        try:
            register_secret(sa.engine.make_url(url).password)
            if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
                Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            if url.startswith("sqlite"):
                # the questionnaire service answers from worker threads
                made = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
                sa.event.listen(made, "connect", _sqlite_pragmas)
            else:
                made = sa.create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)
        except (OSError, ImportError, sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
            raise unavailable(exc) from exc
        _engines[url] = made
    return _engines[url]


def create_tables(url: str | None, metadata: sa.MetaData) -> Engine:
    """The engine of `url` with the tables of `metadata` created; a database out of reach is an InputError."""
    made = engine(url)
    try:
        metadata.create_all(made)
    except sa.exc.OperationalError as exc:
        raise unavailable(exc) from exc
    return made


def forget(url: str) -> None:
    """Close and drop the engine of `url` (a database file that is about to be deleted, tests)."""
    dropped = _engines.pop(url, None)
    if dropped is not None:
        dropped.dispose()
