"""OAI-PMH harvest against a local repository serving the real Roubaix UNIMARC records: resumption tokens,
incremental updates, deletions, datestamp granularity, the protocol's refusals, the store and the CLI."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pymarc
import pytest

from outreach.cli import main
from outreach.errors import InputError
from outreach.sources import oai
from outreach.sources.catalogue import read_catalogue
from outreach.sources.harvest_store import fetch, read_store
from outreach.sources.oai import identify
from tests.support import DATA
from tests.support.oai_server import DAY, OaiServer, ServedRecord, served

MRC = DATA / "samples" / "roubaix-unimarc-sample-2383.mrc"


@pytest.fixture(scope="module")
def records() -> list[pymarc.Record]:
    with MRC.open("rb") as f:
        return list(pymarc.MARCReader(f, to_unicode=True, force_utf8=True))


@pytest.fixture(scope="module")
def reference():
    return {i.id: i for i in read_catalogue(MRC).items}


def test_a_full_harvest_follows_the_tokens_and_stores_every_record(records, reference, tmp_path):
    seen = []
    with OaiServer(served(records), page_size=250) as server:
        repository = identify(server.url)
        assert repository.granularity == "YYYY-MM-DDThh:mm:ssZ" and repository.marc_prefix() == "marcxml"
        result = fetch(repository, tmp_path / "h.sqlite", prefix="marcxml", progress=lambda d, t: seen.append((d, t)))
    tokens = [q for q in server.requests if "resumptionToken" in q]
    assert len(tokens) == 9  # 2383 records in pages of 250
    assert result.received == result.stored == 2383 and result.since is None and not result.skipped
    assert seen[-1] == (2383, 2383) and len(seen) >= 2
    read = read_store(tmp_path / "h.sqlite")
    assert len(read.items) == 2383 and "2383 notice(s) moissonnée(s)" in read.notes[0]
    for item in read.items:
        same = reference[item.id]
        assert (item.title, item.author, item.subjects, item.loans, item.branch_id) == (
            same.title, same.author, same.subjects, same.loans, same.branch_id)


def test_an_incremental_harvest_asks_from_the_last_one_and_applies_changes_and_deletions(records, tmp_path):
    store = tmp_path / "h.sqlite"
    base = served(records[:300])
    with OaiServer(base, page_size=100) as server:
        # the repository's clock, moved on a second at a time (its datestamps are to the second)
        clock = [datetime.now(UTC).replace(microsecond=0)]
        server.now = lambda: clock[0]
        repository = identify(server.url)
        first = fetch(repository, store, prefix="marcxml")
        # the library changes a record and deletes another one just after that harvest
        clock[0] += timedelta(seconds=1)
        later = clock[0].strftime("%Y-%m-%dT%H:%M:%SZ")
        changed = served([records[0]])[0].xml.replace("<subfield code=\"a\">", "<subfield code=\"a\">Nouveau : ", 1)
        server.records = [ServedRecord(base[0].identifier, later, changed),
                          ServedRecord(base[1].identifier, later, None)] + base[2:]
        clock[0] += timedelta(seconds=1)  # the next harvest begins after the change (`from` is inclusive)
        second = fetch(repository, store, prefix="marcxml")
        third = fetch(repository, store, prefix="marcxml")
    froms = [q["from"][0] for q in server.requests if "from" in q]
    assert froms == [first.response_date, second.response_date]
    assert second.received == 2 and second.deleted == 1 and second.total_in_store == 299
    assert third.received == 0  # noRecordsMatch: nothing new is not an error
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT count(*) FROM harvests").fetchone()[0] == 3


def test_a_repository_of_day_granularity_gets_days(records, tmp_path):
    with OaiServer(served(records[:20]), granularity=DAY) as server:
        repository = identify(server.url)
        fetch(repository, tmp_path / "h.sqlite", prefix="marcxml", since=datetime(2024, 5, 5, 12, 30))
        assert server.requests[-1]["from"] == ["2024-05-05"]
        # a client sending seconds to a day repository is refused, as the protocol says
        assert "badArgument" in server.answer({"verb": ["ListRecords"], "metadataPrefix": ["marcxml"],
                                               "from": ["2024-05-05T00:00:00Z"]})


def test_the_protocols_refusals_become_french_errors(records, tmp_path):
    with OaiServer(served(records[:20])) as server:
        repository = identify(server.url)
        with pytest.raises(InputError, match="ne diffuse pas le format « oai_dc »") as err:
            fetch(repository, tmp_path / "h.sqlite", prefix="oai_dc")
        assert "marcxml" in err.value.fix
        with pytest.raises(InputError, match="ensembles"):
            fetch(repository, tmp_path / "h.sqlite", prefix="marcxml", set_spec="SF")


def test_an_expired_token_stops_the_harvest_and_the_next_one_starts_over(records, tmp_path):
    store = tmp_path / "h.sqlite"

    class Expiring(OaiServer):
        def answer(self, query):
            if "resumptionToken" in query and len(self.requests) == 5:
                self.expire_tokens()
            return super().answer(query)

    with Expiring(served(records[:500]), page_size=100) as server:
        repository = identify(server.url)
        with pytest.raises(InputError, match="jeton de reprise"):
            fetch(repository, store, prefix="marcxml")
        with sqlite3.connect(store) as db:
            kept = db.execute("SELECT count(*) FROM items").fetchone()[0]
            assert kept >= 100 and db.execute("SELECT count(*) FROM harvests").fetchone()[0] == 0
        again = fetch(repository, store, prefix="marcxml")
    assert again.since is None and again.total_in_store == 500


def test_a_web_page_that_is_not_oai_pmh_is_named(records):
    class Portal(OaiServer):
        def answer(self, query):  # the catalogue's public web page, given instead of its OAI-PMH address
            return "<!DOCTYPE html><html><body><h1>Catalogue en ligne</h1></body></html>"

    with Portal([]) as server, pytest.raises(InputError, match="n'est pas du XML OAI-PMH"):
        identify(server.url)


def test_an_unreachable_server_is_named(tmp_path):
    with OaiServer([]) as server:
        url = server.url
    with pytest.raises(InputError, match="injoignable") as err:
        identify(url)
    assert url in str(err.value)


def test_the_cli_harvests_with_a_progress_bar_and_themes_match_reads_the_store(records, tmp_path, capsys):
    store = tmp_path / "h.sqlite"
    with OaiServer(served(records[:400]), page_size=100) as server:
        assert main(["catalogue", "fetch", server.url, "--store", str(store)]) == 0
    err = capsys.readouterr().err
    assert "[##############################] 400 / 400 notices" in err
    assert "moisson complète" in err and "400 notice(s) reçue(s)" in err
    out = tmp_path / "m.csv"
    assert main(["themes", "match", "--catalogue", str(store), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "400 notice(s) lue(s) (OAI-PMH (base locale))" in err
    assert len(out.read_text().splitlines()) > 10
    assert main(["catalogue", "fetch", "http://127.0.0.1:9/oai", "--store", str(store)]) == 2


def test_a_full_harvest_forgets_what_the_server_no_longer_lists(records, tmp_path):
    store = tmp_path / "h.sqlite"
    with OaiServer(served(records[:30])) as server:
        repository = identify(server.url)
        fetch(repository, store, prefix="marcxml")
        server.records = server.records[:20]  # ten records purged without a trace (no deleted status kept)
        assert fetch(repository, store, prefix="marcxml").total_in_store == 30  # incremental: nothing new
        assert fetch(repository, store, prefix="marcxml", full=True).total_in_store == 20


def test_a_store_is_matched_as_a_stream_as_it_is_when_read_whole(records, tmp_path):
    from outreach.themes import load_themes, match_items
    from outreach.themes.union import match_store

    store = tmp_path / "h.sqlite"
    with OaiServer(served(records[:300]), page_size=100) as server:
        fetch(identify(server.url), store, prefix="marcxml")
    themes = load_themes()
    matches, summary = match_store(store, themes, workers=1, chunk_size=64)
    streamed = {(i, t, round(s, 6)) for i, t, s, _ in matches}
    whole = {(m.item_id, m.theme_id, round(m.score, 6))
             for m in match_items(read_store(store).items, themes, ignore={"same_author", "same_series"})}
    assert streamed == whole and len(streamed) > 50
    assert (summary.items, summary.format) == (300, "OAI-PMH (base locale)")


def test_a_listrecords_page_that_is_not_oai_pmh_is_named_with_its_number(records, tmp_path):
    class Broken(OaiServer):
        def answer(self, query):
            if query.get("resumptionToken"):  # the second page: a proxy's error page instead of the records
                return "<html><body><h1>502 Bad Gateway</h1></body></html>"
            return super().answer(query)

    with Broken(served(records[:150]), page_size=100) as server:
        repository = identify(server.url)
        with pytest.raises(InputError, match="n'est pas du XML OAI-PMH") as err:
            fetch(repository, tmp_path / "h.sqlite", prefix="marcxml")
    assert err.value.where == "page 2"
    with sqlite3.connect(tmp_path / "h.sqlite") as db:  # the first page is kept, the harvest not complete
        assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 100
        assert db.execute("SELECT count(*) FROM harvests").fetchone()[0] == 0


@pytest.mark.parametrize("announced", [True, False])
def test_a_page_beyond_the_size_limit_is_refused_whether_announced_or_not(records, tmp_path, monkeypatch, announced):
    monkeypatch.setattr(oai, "MAX_OAI_PAGE_BYTES", 100_000)  # pages of 100 real records weigh about 500 kB
    monkeypatch.setattr(oai, "READ_CHUNK_BYTES", 16_384)
    with OaiServer(served(records[:150]), page_size=100, announce_length=announced) as server:
        repository = identify(server.url)
        with pytest.raises(InputError, match="page de la moisson trop volumineuse") as err:
            fetch(repository, tmp_path / "h.sqlite", prefix="marcxml")
    assert err.value.file == server.url and "OAI-PMH:MaxCount" in err.value.fix
