"""The shared foundations: where files go (paths), one fold/slug/number/date (text), one engine (db)."""

import math
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from outreach import db, paths, text
from outreach.errors import InputError


def test_every_location_follows_its_variable(tmp_path, monkeypatch):
    for name in paths.VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OUTREACH_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("OUTREACH_OUTPUT_DIR", str(tmp_path / "o"))
    monkeypatch.setenv("OUTREACH_DATABASE_URL", "sqlite:///x.sqlite")
    assert paths.data_dir() == tmp_path / "d" and paths.output_dir() == tmp_path / "o"
    assert paths.database_url() == "sqlite:///x.sqlite" and paths.admin_token() == ""


def test_run_from_the_checkout_the_files_stay_in_the_checkout(monkeypatch):
    for name in paths.VARIABLES:
        monkeypatch.delenv(name, raising=False)
    root = paths.checkout()
    assert root is not None and (root / "pyproject.toml").is_file()
    assert paths.settings_path() == root / "network.yaml" and paths.data_dir() == root / "data"


def test_installed_the_files_go_to_the_user_data_folder_never_site_packages(tmp_path, monkeypatch):
    for name in paths.VARIABLES:
        monkeypatch.delenv(name, raising=False)
    site = tmp_path / "site-packages"  # the package's parent once installed: no pyproject.toml there
    site.mkdir()
    monkeypatch.setattr(paths, "PACKAGE_PARENT", site)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert paths.checkout() is None
    assert paths.settings_path() == tmp_path / "share" / "outreach" / "network.yaml"
    assert paths.database_url() == f"sqlite:///{tmp_path / 'share' / 'outreach' / 'outreach.sqlite'}"
    assert paths.output_dir() == tmp_path / "share" / "outreach" / "sorties"
    assert paths.cache_dir() == tmp_path / "cache" / "outreach"
    assert site not in paths.campaigns_dir().parents


def test_one_fold_and_one_slug():
    assert text.fold("Cœur d’Œuvre — « SF » !") == "coeur d oeuvre sf"
    assert text.slug("Science-fiction & Fantasy à Marseille") == "science-fiction-fantasy-a-marseille"
    assert text.slug("  ") == ""


@pytest.mark.parametrize(("value", "decimals", "shown"), [
    (1234567, 0, "1\u202f234\u202f567"), (1234.5, 2, "1\u202f234,50"), (0.456, 1, "0,5"), (12.6, 0, "13"),
    (None, 0, "—"), (math.nan, 2, "—"),
])
def test_french_numbers(value, decimals, shown):
    assert text.number(value, decimals) == shown


def test_french_dates():
    assert text.french_date(date(2027, 3, 5)) == text.french_date("2027-03-05") == "05/03/2027"
    assert text.french_date(datetime(2027, 3, 5, 18, 30)) == "05/03/2027"


def test_the_results_and_the_consent_store_share_one_engine_with_the_same_settings(tmp_path):
    from outreach.community import Store
    from outreach.reporting import ReportStore

    url = f"sqlite:///{tmp_path / 'one.sqlite'}"
    try:
        results, members = ReportStore(url), Store(url)
        assert results.engine is members.engine
        with results.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
        assert {"report_plans", "community_respondents"} <= set(sa.inspect(results.engine).get_table_names())
    finally:
        db.forget(url)


def test_a_wrong_database_address_is_said_in_french_without_the_password():
    with pytest.raises(InputError) as err:
        db.engine("nosuchdialect://user:secret@host/base")
    assert err.value.field == "OUTREACH_DATABASE_URL" and "secret" not in str(err.value)
