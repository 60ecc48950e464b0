from streamlit.testing.v1 import AppTest

from tests.support import ROOT

PAGE = str(ROOT / "app/pages/territoire.py")


def test_page_renders_the_shipped_network():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Bibliothèques"] == "127" and metrics["Zones"] == "134"  # Bouches-du-Rhône first
    assert at.selectbox(key="territory_scope").value == "13"
    assert len(at.tabs) == 3
    assert any("Bassin de chaque bibliothèque" in m.value for m in at.markdown)


def test_changing_departement_and_threshold():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.selectbox(key="territory_scope").set_value("01").run()
    at.slider(key="territory_threshold").set_value(5).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Zones à plus de 5 km"]) > 0
    at.radio(key="territory_colour").set_value("distance").run()
    assert any("plus de 20 km" in m.value for m in at.markdown)


def test_uploaded_addresses_are_geocoded_with_progress(ban_server, tmp_path, monkeypatch):
    monkeypatch.setenv("OUTREACH_GEOCODER_URL", ban_server.url)
    ban_server.add("58 cours Belsunce 13001 Marseille", 43.299648, 5.379507)
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    csv = b"id,name,adresse,code_postal,ville\nalc,Alcazar,58 cours Belsunce,13001,Marseille\n"
    at.file_uploader(key="branches_upload").upload("reseau.csv", csv, "text/csv").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert {m.label: m.value for m in at.metric}["Bibliothèques"] == "1"
    assert [r["query"]["q"] for r in ban_server.requests] == ["58 cours Belsunce 13001 Marseille"]


def test_an_upload_with_swapped_coordinates_is_refused_beside_it():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    bad = b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"1","name":"X"},' \
          b'"geometry":{"type":"Point","coordinates":[43.3,5.4]}}]}'
    at.file_uploader(key="branches_upload").upload("bibs.geojson", bad, "application/geo+json").run()
    assert not at.exception
    assert any("inversées" in e.value and "bibs.geojson" in e.value for e in at.error)


def test_a_bad_areas_upload_is_shown_beside_the_areas_not_the_branches():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    good = b"id,name,lat,lon\nalc,Alcazar,43.299648,5.379507\n"
    at.file_uploader(key="branches_upload").upload("reseau.csv", good, "text/csv").run()
    at.file_uploader(key="areas_upload").upload("zones.csv", b"code,name,lat\n13005,Aubagne,43.29\n", "text/csv").run()
    assert not at.exception
    branches_column, areas_column = at.expander[0].columns
    assert not branches_column.error
    assert [e.value for e in areas_column.error] == [e.value for e in at.error]
    assert "zones.csv" in areas_column.error[0].value and "lon" in areas_column.error[0].value
    assert not at.metric  # nothing computed from a refused file
