"""Union-catalogue matching: a stream of ISO 2709 records, chunks to worker processes, bounded memory.

The streamed result must be the one of reading the whole file and matching it (`read_catalogue` then
`match_items`), damaged records reported the same way, whatever the chunk size and the number of workers.
"""

from __future__ import annotations

import gzip
import io
from contextlib import redirect_stderr, redirect_stdout

import pymarc
import pytest

from outreach.cli import main
from outreach.errors import InputError
from outreach.sources.catalogue import read_authorised_values, read_catalogue
from outreach.streaming import IN_FLIGHT, stream_map
from outreach.themes import load_themes, match_items
from outreach.themes.kinship import STRONG, Kinship, author_key
from outreach.themes.union import iso2709_records, match_iso2709_file
from tests.support import DATA

MRC = DATA / "samples" / "roubaix-unimarc-sample-2383.mrc"
LABELS = DATA / "samples" / "roubaix-koha-authorised-values.csv"


def as_tuples(matches):
    return [(m.item_id, m.theme_id, m.score, m.reason) for m in matches]


@pytest.fixture(scope="module")
def whole():
    """The reference: the whole file read, then matched."""
    labels = read_authorised_values(LABELS)
    return labels, as_tuples(match_items(read_catalogue(MRC, collection_labels=labels).items, load_themes()))


@pytest.mark.parametrize("workers,chunk_size", [(1, 1000), (2, 97)])
def test_streamed_matches_equal_the_whole_file_matched(whole, workers, chunk_size):
    labels, expected = whole
    read = []
    matches, summary = match_iso2709_file(MRC, load_themes(), collection_labels=labels, workers=workers,
                                          chunk_size=chunk_size, read=read.append)
    assert list(matches) == expected and len(expected) > 1000
    assert summary.items == summary.records == 2383 and summary.format == "UNIMARC" and summary.notes == []
    assert sum(read) == MRC.stat().st_size  # the progress bar reaches the end of the file


def test_damaged_records_are_reported_as_the_reader_reports_them(tmp_path):
    records = MRC.read_bytes().split(b"\x1d")[:3]
    data = records[0] + b"\x1d" + b"xxxxx" + records[2][5:] + b"\x1d" + records[2] + b"\x1d" + records[1][:200]
    path = tmp_path / "notices.mrc.gz"  # compressed too: read as it is decompressed
    path.write_bytes(gzip.compress(data))
    reference = read_catalogue("notices.mrc", data=data)
    matches, summary = match_iso2709_file(path, load_themes(), workers=2, chunk_size=1)
    assert list(matches) == as_tuples(match_items(reference.items, load_themes()))
    assert summary.items == 2 and summary.skipped == reference.skipped
    assert summary.notes == [n.replace("notices.mrc", str(path)) for n in reference.notes]


def test_a_file_without_a_readable_record_is_an_input_error(tmp_path):
    path = tmp_path / "vide.mrc"
    path.write_bytes(b"00050xxxxxxxxxxxxxxxxxxxxxxx\x1d" * 3)
    matches, _ = match_iso2709_file(path, load_themes(), workers=1)
    with pytest.raises(InputError, match="aucune notice MARC lisible"):
        list(matches)


def test_records_are_read_only_as_the_workers_take_them():
    """Bounded memory: the stream is not read ahead of the workers by more than the chunks in flight."""
    consumed = []

    def records():
        for i in range(100_000):
            consumed.append(i)
            yield i

    results = stream_map(sum, records(), workers=2, chunk_size=100)
    first = next(results)
    assert first == sum(range(100))
    assert len(consumed) <= 100 * (2 * IN_FLIGHT + 1)
    assert sum(results) + first == sum(range(100_000))  # and nothing is lost or repeated


def test_the_stream_is_cut_on_record_terminators_across_blocks(monkeypatch):
    from outreach.themes import union

    monkeypatch.setattr(union, "BLOCK", 1000)  # records straddle many blocks
    assert b"".join(iso2709_records(MRC)) == MRC.read_bytes()
    assert sum(1 for _ in iso2709_records(MRC)) == 2383


def test_cli_streams_an_iso2709_catalogue_with_the_same_output(tmp_path, whole, monkeypatch):
    from outreach.cli import themes as themes_cli

    outs = []
    for threshold in (10**12, 0):  # read whole, then streamed on every core (as a file of 20 MB and more)
        monkeypatch.setattr(themes_cli, "STREAM_FROM", threshold)
        out_file = tmp_path / f"m{threshold}.csv"
        err = io.StringIO()
        with redirect_stdout(io.StringIO()), redirect_stderr(err):
            assert main(["themes", "match", "--catalogue", str(MRC), "--collections", str(LABELS),
                         "--min-score", "0.6", "--out", str(out_file)]) == 0
        outs.append(out_file.read_text(encoding="utf-8"))
        assert "2383 notice(s) lue(s) (UNIMARC)" in err.getvalue()
    assert outs[0] == outs[1]
    expected = [m for m in whole[1] if m[2] >= 0.6]
    lines = outs[0].splitlines()
    assert lines[0] == "item_id,theme_id,score,reason" and len(lines) == len(expected) + 1
    assert lines[1].startswith(f"{expected[0][0]},{expected[0][1]},{expected[0][2]:.3f},")


def test_a_work_without_clues_takes_its_authors_theme_in_a_stream_as_in_a_whole_read(tmp_path):
    """Kinship over a stream: the works without match wait on disk and are looked up at the end."""
    records = MRC.read_bytes().split(b"\x1d")[:-1]
    items = read_catalogue(MRC).items
    themes = load_themes()
    kin = Kinship()
    found = {}
    for m in match_items(items, themes, ignore={"same_author", "same_series"}):
        if m.score >= STRONG:
            found.setdefault(m.item_id, set()).add(m.theme_id)
    for item in items:
        if found.get(item.id):
            kin.observe(author_key(item), "", item.title, found[item.id])
    # a real author whose strongly matched works agree on one theme, and one of their records
    author, index = next((author_key(item), n) for n, item in enumerate(items)
                         if found.get(item.id) and kin.match("x", author_key(item), "") is not None)
    original = next(iter(pymarc.MARCReader(records[index] + b"\x1d", to_unicode=True, force_utf8=True)))
    # a copy of it with nothing but its author and a title that says nothing
    record = pymarc.Record(to_unicode=True, force_utf8=True, leader=original.leader)
    record.add_field(pymarc.Field(tag="001", data="KIN-1"))
    record.add_field(pymarc.Field(tag="200", indicators=["1", " "], subfields=[pymarc.Subfield("a", "Recueil")]))
    record.add_field(*[f for f in original.fields if f.tag in ("700", "701")])
    path = tmp_path / "union.mrc"
    path.write_bytes(MRC.read_bytes() + record.as_marc())
    whole = as_tuples(match_items(read_catalogue(path).items, themes))
    kin_matches = [m for m in whole if m[0] == "KIN-1"]
    assert len(kin_matches) == 1 and kin_matches[0][3].startswith("même auteur que « ") and author
    assert not match_items(read_catalogue(path).items[-1:], themes)  # no clue of its own
    matches, summary = match_iso2709_file(path, themes, workers=2, chunk_size=500)
    streamed = list(matches)
    assert streamed[-1] == kin_matches[0]  # after the others, as a store gives it
    assert sorted(streamed) == sorted(whole) and summary.items == 2384
    # without the spreading over authors and series, no work waits and none is added
    plain, _ = match_iso2709_file(path, themes, workers=1, ignore={"same_author", "same_series"})
    assert [m for m in plain if m[0] == "KIN-1"] == []
