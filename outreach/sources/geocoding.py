"""Addresses → coordinates through geopy, with a persistent cache and rate limiting.

The French national address service (Base Adresse Nationale, geopy's `BANFrance`) is the default;
Nominatim (OpenStreetMap) can be chosen. Every answer, found or not, is cached in a SQLite file so that
an address is asked once, ever. The provider's domain and scheme can be changed (geopy's own options):
that is how the tests point it at a local server.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from geopy.exc import GeocoderQuotaExceeded, GeocoderServiceError, GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import BANFrance, Nominatim

from outreach import paths
from outreach.errors import InputError

USER_AGENT = "outreach-mediatheques/0.1 (https://github.com/outreach-mediatheques)"
PROVIDERS = {
    # provider: (default domain, seconds between calls: BAN allows 50/s per IP, Nominatim 1/s by its policy)
    "ban": ("api-adresse.data.gouv.fr", 0.05),
    "nominatim": ("nominatim.openstreetmap.org", 1.0),
}
MIN_BAN_SCORE = 0.5  # below this the BAN's answer is a guess (a street with the same name elsewhere…)

Progress = Callable[[int, int], None]


def default_cache_path() -> Path:
    return paths.cache_dir() / "geocoding.sqlite"


class GeocodingUnavailable(InputError):
    pass


class Geocoder:
    def __init__(self, provider: str = "ban", *, domain: str | None = None, scheme: str | None = None,
                 cache_path: str | Path | None = None, min_delay_seconds: float | None = None,
                 timeout: float = 10):
        if provider not in PROVIDERS:
            raise InputError(f"géocodeur inconnu « {provider} ».", fix=f"Choisissez parmi : {', '.join(PROVIDERS)}.")
        default_domain, default_delay = PROVIDERS[provider]
        if domain is None and paths.geocoder_url():
            # a self-hosted instance (BAN's addok, a Nominatim mirror), or the tests' local server
            parsed = urlsplit(paths.geocoder_url())
            domain, scheme = parsed.netloc + parsed.path.rstrip("/"), scheme or parsed.scheme
        self.provider = provider
        self.domain = domain or default_domain
        if provider == "ban":
            self._geopy = BANFrance(domain=self.domain, scheme=scheme, timeout=timeout, user_agent=USER_AGENT)
        else:
            self._geopy = Nominatim(domain=self.domain, scheme=scheme, timeout=timeout, user_agent=USER_AGENT)
        delay = default_delay if min_delay_seconds is None else min_delay_seconds
        # RateLimiter spaces the calls and retries transient errors; swallow_exceptions off: we report them
        self._limited = RateLimiter(self._geopy.geocode, min_delay_seconds=delay, max_retries=2,
                                    error_wait_seconds=1.0, swallow_exceptions=False)
        self.cache_path = Path(cache_path) if cache_path else default_cache_path()
        self._connection: sqlite3.Connection | None = None

    @property
    def _db(self) -> sqlite3.Connection:
        # opened on first use: building a Geocoder that is never asked anything touches no file
        if self._connection is None:
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            self._connection = sqlite3.connect(self.cache_path)
            self._connection.execute(
                "CREATE TABLE IF NOT EXISTS geocoded (provider TEXT, query TEXT, lat REAL, lon REAL, "
                "label TEXT, asked_at REAL, PRIMARY KEY (provider, query))")
        return self._connection

    def cached(self, query: str) -> tuple[float, float] | None | bool:
        """(lat, lon) if known, None if known to be not found, False if never asked."""
        row = self._db.execute("SELECT lat, lon FROM geocoded WHERE provider = ? AND query = ?",
                               (self.provider, query)).fetchone()
        if row is None:
            return False
        return None if row[0] is None else (row[0], row[1])

    def _ask(self, query: str) -> tuple[tuple[float, float] | None, str]:
        try:
            if self.provider == "ban":
                location = self._limited(query, limit=1)
                if location is not None and location.raw.get("properties", {}).get("score", 1) < MIN_BAN_SCORE:
                    location = None
            else:
                location = self._limited(query, country_codes="fr")
        except GeocoderQuotaExceeded as exc:
            raise GeocodingUnavailable("le service d'adresses refuse les demandes (quota dépassé).",
                                       fix="Réessayez dans quelques minutes ; les adresses déjà trouvées sont gardées.") from exc
        except (GeocoderServiceError, GeopyError, OSError) as exc:
            raise GeocodingUnavailable(
                f"le service d'adresses {self.domain} est injoignable ({type(exc).__name__}).",
                fix="Vérifiez la connexion internet, ou ajoutez des colonnes lat et lon au fichier ; "
                    "les adresses déjà trouvées sont gardées en cache.") from exc
        if location is None:
            return None, ""
        return (location.latitude, location.longitude), location.address or ""

    def geocode(self, query: str) -> tuple[float, float] | None:
        return self.geocode_many([query])[query]

    def geocode_many(self, queries: list[str], progress: Progress | None = None) -> dict[str, tuple[float, float] | None]:
        """Geocode distinct queries, asking the service only for those not in the cache."""
        unique = list(dict.fromkeys(q.strip() for q in queries if q.strip()))
        results: dict[str, tuple[float, float] | None] = {}
        missing = []
        for query in unique:
            hit = self.cached(query)
            if hit is False:
                missing.append(query)
            else:
                results[query] = hit
        done = len(results)
        if progress:
            progress(done, len(unique))
        for query in missing:
            point, label = self._ask(query)
            self._db.execute("INSERT OR REPLACE INTO geocoded VALUES (?, ?, ?, ?, ?, ?)",
                             (self.provider, query, point[0] if point else None, point[1] if point else None,
                              label, time.time()))
            self._db.commit()  # commit each answer: an interruption loses nothing already paid for
            results[query] = point
            done += 1
            if progress:
                progress(done, len(unique))
        return results

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
