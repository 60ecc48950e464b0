import json

import pytest

from outreach.errors import InputError
from outreach.sources.branches import paris_arrondissement, read_branches, read_ministry_csv
from outreach.sources.geocoding import Geocoder
from tests.support import DATA
from tests.support.readers import ReaderContract

NATIONAL = DATA / "national" / "bibliotheques.csv.gz"


@pytest.fixture(scope="module")
def ministry():
    return read_ministry_csv(NATIONAL)


def test_ministry_list_reads_every_geolocated_library(ministry):
    assert len(ministry.branches) == 15233  # 15,882 rows, 649 without coordinates (see SOURCES.md)
    assert any("529 bibliothèque(s) sans coordonnées" in n for n in ministry.notes)
    assert any("120 ligne(s) sans code_bib" in n for n in ministry.notes)


def test_ministry_codes_are_integer_strings_and_paris_gets_its_arrondissement(ministry):
    by_id = {b.id: b for b in ministry.branches}
    canopee = by_id["17615"]
    assert canopee.name == "Médiathèque de la canopée - la fontaine"
    assert (canopee.lat, canopee.lon) == (48.861819, 2.347644)
    assert canopee.insee == "75101" and canopee.departement == "75"
    assert all(not b.id.endswith(".0") for b in ministry.branches)
    paris = [b for b in ministry.branches if b.departement == "75"]
    assert len(paris) == 66 and all(b.insee.startswith("751") for b in paris)


def test_corsican_libraries_get_their_departement(ministry):
    deps = {b.departement for b in ministry.branches}
    assert {"2A", "2B"} <= deps and "20" not in deps


@pytest.mark.parametrize("postcode,insee", [("75001", "75101"), ("75020", "75120"), ("75016", "75116"),
                                            ("75116", "75116"), ("13001", "")])
def test_paris_arrondissement(postcode, insee):
    assert paris_arrondissement(postcode) == insee


def test_shipped_geojson_has_every_library_of_13_and_75_with_all_fields():
    read = read_branches(DATA / "branches.geojson")
    assert len(read.branches) == 193
    raw = json.loads((DATA / "branches.geojson").read_text(encoding="utf-8"))
    for feature in raw["features"]:
        props = feature["properties"]
        for key in ("id", "name", "address", "postcode", "city", "insee", "status", "surface_m2", "url",
                    "opening_hours", "facebook_page_id"):
            assert key in props
        assert props["id"].isdigit()
    assert {b.departement for b in read.branches} == {"13", "75"}


def test_user_csv_with_coordinates_in_cp1252_is_read_with_a_note(tmp_path):
    path = tmp_path / "reseau.csv"
    path.write_bytes("id;nom;lat;lon\n1;Médiathèque de l'Alcazar;43,29965;5,37957\n".encode("cp1252"))
    read = read_branches(path)
    assert read.branches[0].name == "Médiathèque de l'Alcazar"
    assert read.branches[0].lat == pytest.approx(43.29965)
    assert any("Windows-1252" in n for n in read.notes)


def test_user_csv_in_utf16_with_tabs(tmp_path):
    path = tmp_path / "reseau.csv"
    path.write_bytes("id\tname\tlatitude\tlongitude\nA\tBibliothèque\t43.3\t5.4\n".encode("utf-16"))
    assert read_branches(path).branches[0].id == "A"


def test_user_csv_with_addresses_is_geocoded_through_the_ban_format(tmp_path, ban_server):
    ban_server.add("58 cours Belsunce 13001 Marseille", 43.299648, 5.379507)
    path = tmp_path / "reseau.csv"
    path.write_text("id,name,adresse,code_postal,ville\nalc,Alcazar,58 cours Belsunce,13001,Marseille\n",
                    encoding="utf-8")
    seen = []
    geocoder = Geocoder("ban", domain=ban_server.domain, scheme="http", cache_path=tmp_path / "geo.sqlite",
                        min_delay_seconds=0)
    read = read_branches(path, geocoder=geocoder, progress=lambda done, total: seen.append((done, total)))
    assert (read.branches[0].lat, read.branches[0].lon) == (43.299648, 5.379507)
    assert seen[-1] == (1, 1)
    # the answer is cached: a second read asks nothing
    asked = len(ban_server.requests)
    read_branches(path, geocoder=Geocoder("ban", domain=ban_server.domain, scheme="http",
                                          cache_path=tmp_path / "geo.sqlite", min_delay_seconds=0))
    assert len(ban_server.requests) == asked


def test_address_not_found_names_the_row(tmp_path, ban_server):
    path = tmp_path / "reseau.csv"
    path.write_text("id,name,adresse\n1,Nulle part,999 rue Imaginaire\n", encoding="utf-8")
    geocoder = Geocoder("ban", domain=ban_server.domain, scheme="http", cache_path=tmp_path / "g.sqlite",
                        min_delay_seconds=0)
    with pytest.raises(InputError) as err:
        read_branches(path, geocoder=geocoder)
    assert "ligne 2" in str(err.value) and "introuvable" in str(err.value)


def test_geocoder_offline_gives_a_clear_message(tmp_path):
    path = tmp_path / "reseau.csv"
    path.write_text("id,name,adresse\n1,Alcazar,58 cours Belsunce Marseille\n", encoding="utf-8")
    # nothing listens on port 9 of the loopback: the connection is refused, as when offline
    geocoder = Geocoder("ban", domain="127.0.0.1:9", scheme="http", cache_path=tmp_path / "g.sqlite",
                        min_delay_seconds=0, timeout=2)
    with pytest.raises(InputError) as err:
        read_branches(path, geocoder=geocoder)
    assert "injoignable" in str(err.value) and "lat et lon" in str(err.value)
    assert str(err.value).startswith(str(path))  # the file whose addresses could not be geocoded


def _geojson(tmp_path, features, name="bibs.geojson"):
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def _point(id_, lon, lat):
    return {"type": "Feature", "properties": {"id": id_, "name": f"B{id_}"},
            "geometry": {"type": "Point", "coordinates": [lon, lat]}}


def test_swapped_coordinates_are_named(tmp_path):
    path = _geojson(tmp_path, [_point("1", 5.37, 43.29), _point("2", 43.30, 5.38)])
    with pytest.raises(InputError) as err:
        read_branches(path)
    text = str(err.value)
    assert "bibs.geojson" in text and "objet n°2 (id = 2)" in text and "inversées" in text


def test_lambert93_coordinates_are_named(tmp_path):
    path = _geojson(tmp_path, [_point("1", 892390.0, 6247330.0)])
    with pytest.raises(InputError) as err:
        read_branches(path)
    assert "Lambert-93" in str(err.value) and "objet n°1" in str(err.value)


def test_feature_without_geometry_and_duplicate_ids(tmp_path):
    no_geom = {"type": "Feature", "properties": {"id": "3", "name": "Sans lieu"}, "geometry": None}
    path = _geojson(tmp_path, [_point("1", 5.37, 43.29), _point("1", 5.38, 43.30), no_geom])
    with pytest.raises(InputError) as err:
        read_branches(path)
    text = str(err.value)
    assert "2 problème(s)" in text and "en double" in text and "sans géométrie" in text and "objet n°3" in text


@pytest.mark.parametrize("content", ["", "   \n"])
def test_empty_files(tmp_path, content):
    for name in ("vide.geojson", "vide.csv"):
        path = tmp_path / name
        path.write_text(content)
        with pytest.raises(InputError, match="vide"):
            read_branches(path)


def test_missing_column_is_named(tmp_path):
    path = tmp_path / "reseau.csv"
    path.write_text("id,lat,lon\n1,43.3,5.4\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_branches(path)
    assert "name" in str(err.value) and "ligne 1" in str(err.value)


def test_a_corsican_library_known_by_its_postcode_only_gets_2a_or_2b(tmp_path):
    path = tmp_path / "corse.csv"
    path.write_text("id,name,lat,lon,code_postal\najaccio,Médiathèque d'Ajaccio,41.9192,8.7386,20000\n"
                    "bastia,Médiathèque de Bastia,42.6970,9.4503,20200\n", encoding="utf-8")
    assert [b.departement for b in read_branches(path).branches] == ["2A", "2B"]


@pytest.mark.parametrize("flag,expected", [(False, False), ("false", False), ("Non", False), ("0", False),
                                           (True, True), ("true", True), (None, True)])
def test_open_to_public_written_as_text_is_understood(tmp_path, flag, expected):
    feature = _point("1", 5.37, 43.29)
    if flag is not None:
        feature["properties"]["open_to_public"] = flag
    assert read_branches(_geojson(tmp_path, [feature])).branches[0].open_to_public is expected


class TestReaderContract(ReaderContract):
    reader = staticmethod(read_branches)
    sample = DATA / "branches.geojson"
    attribute = "branches"
