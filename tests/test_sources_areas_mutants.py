"""The areas reader's decisions that the shipped files never reach, and the French messages users read
(issue 19's mutation survivors)."""

import json

import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, shape

from outreach.errors import InputError
from outreach.sources.areas import area_frame, areas_of, read_areas


def square(lon, lat, half=0.01):
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half], [lon - half, lat + half],
            [lon - half, lat - half]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(properties, geometry):
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def geojson(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def read_geojson(*features):
    return read_areas("", data=geojson(*features), name="zones.geojson")


def test_every_mistake_of_a_geojson_is_told_at_once_with_what_to_do():
    bowtie_open = {"type": "Polygon", "coordinates": [[[5.40, 43.30], [5.41, 43.30]]]}  # two positions only
    with pytest.raises(InputError) as err:
        read_geojson(
            feature({"code": "13001", "nom": "Aix"}, square(5.45, 43.53)),
            feature({"nom": "Sans code"}, square(5.40, 43.30)),
            feature({"code": "13001", "nom": "Aix bis"}, square(5.46, 43.54)),
            feature({"code": "13002", "nom": "Sans contour"}, None),
            feature({"code": "13003", "nom": "Plat"}, bowtie_open),
            feature({"code": "13004", "nom": "Arles", "population": "beaucoup"}, square(4.63, 43.68)),
            feature({"code": "13005", "nom": "Aubagne", "population": -3}, square(5.57, 43.29)),
        )
    assert str(err.value) == (
        "zones.geojson : 6 problème(s) à corriger :\n"
        "  - objet n°2 (nom = Sans code) : code manquant. Ajoutez une propriété « code » (le code INSEE de la "
        "commune).\n"
        "  - objet n°3 (code = 13001) : code 13001 en double (déjà utilisé par l'objet n°1). Chaque zone doit "
        "avoir un code unique.\n"
        "  - objet n°4 (code = 13002) : objet sans géométrie. Dessinez le contour de la zone ou supprimez "
        "l'objet.\n"
        "  - objet n°5 (code = 13003) : géométrie invalide (A linearring requires at least 4 coordinates.). "
        "Réparez la géométrie (QGIS : « Réparer les géométries »).\n"
        "  - objet n°6 (code = 13004) : population illisible : « beaucoup ». Écrivez un nombre entier positif, "
        "ou laissez la case vide.\n"
        "  - objet n°7 (code = 13005) : population illisible : « -3 ». Écrivez un nombre entier positif, ou "
        "laissez la case vide.")
    assert [e.where for e in err.value.errors][:2] == ["objet n°2 (nom = Sans code)", "objet n°3 (code = 13001)"]


def test_a_position_outside_the_world_names_the_file_and_the_object():
    with pytest.raises(InputError) as err:
        read_geojson(feature({"code": "X"}, square(5.4, 43.3)), feature({"code": "Y"}, square(5.4, 143.3)))
    assert "zones.geojson" in str(err.value) and "objet n°2 (code = Y)" in str(err.value)


def test_the_file_path_names_the_file_when_no_name_is_given(tmp_path):
    path = tmp_path / "communes.geojson"
    path.write_bytes(geojson(feature({"code": "X"}, None)))
    with pytest.raises(InputError) as err:
        read_areas(path)
    assert str(err.value).startswith(f"{path} : 1 problème(s) à corriger :")


def test_a_point_given_in_the_properties_is_kept_when_it_lies_inside_the_outline():
    inside = {"code": "13005", "nom": "Aubagne", "lat": "43.2927", "lon": "5.5708"}  # the town hall
    outside = {"code": "13028", "nom": "La Ciotat", "lat": 44.0, "lon": 5.6}
    lat_only = {"code": "13022", "nom": "Cassis", "lat": 43.214}
    lon_only = {"code": "13042", "nom": "Gémenos", "lon": 5.628}
    areas = read_geojson(feature(inside, square(5.57, 43.29)), feature(outside, square(5.60, 43.17)),
                         feature(lat_only, square(5.54, 43.21)), feature(lon_only, square(5.63, 43.29))).areas
    assert (areas[0].lat, areas[0].lon) == (43.2927, 5.5708)
    # elsewhere a point certain to lie inside (the square's middle line here), not the given one
    for area, (lon, lat) in zip(areas[1:], [(5.60, 43.17), (5.54, 43.21), (5.63, 43.29)], strict=True):
        assert abs(area.lat - lat) < 0.01 and abs(area.lon - lon) < 0.01, area.name
        assert (area.lat, area.lon) != (44.0, 5.6)


def test_a_self_crossing_outline_is_repaired_and_gets_a_point_inside():
    bowtie = {"type": "Polygon", "coordinates": [[[5.40, 43.30], [5.42, 43.32], [5.42, 43.30], [5.40, 43.32],
                                                  [5.40, 43.30]]]}
    area = read_geojson(feature({"code": "X", "name": "Noeud"}, bowtie)).areas[0]
    repaired = shapely.make_valid(shape(bowtie))
    assert repaired.contains(Point(area.lon, area.lat))
    assert area.geometry == bowtie  # the file's outline is kept as given


def test_point_features_are_their_own_point_without_an_outline():
    area = read_geojson(feature({"code": "13005", "name": "Aubagne"},
                                {"type": "Point", "coordinates": [5.5708, 43.2927]})).areas[0]
    assert (area.lat, area.lon, area.geometry) == (43.2927, 5.5708, None)


def test_kinds_declared_or_guessed_from_the_code():
    kinds = {
        "13201": None,        # a Marseille arrondissement
        "75056": None,        # Paris as a whole: a commune
        "69381": None,        # a Lyon arrondissement
        "7510": None,         # too short for an arrondissement code
        "13001": "custom",    # declared
        "13002": "quartier",  # not a kind: guessed
        "75101": "commune",   # declared, even if the code says otherwise
        "13203": "arrondissement",
        "75108": None,        # a Paris arrondissement
        "Z1": "arrondissement",  # declared for a code that does not say it
    }
    features = [feature({"code": code, **({"kind": kind} if kind else {})}, square(5.4, 43.3 + i * 0.05))
                for i, (code, kind) in enumerate(kinds.items())]
    got = {a.code: a.kind for a in read_geojson(*features).areas}
    assert got == {"13201": "arrondissement", "75056": "commune", "69381": "arrondissement", "7510": "commune",
                   "13001": "custom", "13002": "commune", "75101": "commune", "13203": "arrondissement",
                   "75108": "arrondissement", "Z1": "arrondissement"}
    csv = "code,name,lat,lon,kind\n" + "".join(f"{code},{code},43.3,5.4,{kind or ''}\n" for code, kind in kinds.items())
    assert {a.code: a.kind for a in read_areas("", data=csv.encode(), name="zones.csv").areas} == got


def test_geojson_properties_under_their_other_names():
    areas = read_geojson(
        feature({"code_insee": "13004", "libelle": "Arles", "population_municipale": "51811.0",
                 "codes_postaux": "13200, 13280; 13129", "code_departement": "13"}, square(4.63, 43.68)),
        feature({"insee": "2A004", "population": 7, "postcodes": ["20000", "20090"], "departement": "2A"},
                square(8.74, 41.93)),
        feature({"code": "97411", "pop": ""}, square(55.45, -20.88)),
    ).areas
    arles, ajaccio, saint_denis = areas
    assert (arles.code, arles.name, arles.population, arles.departement) == ("13004", "Arles", 51811, "13")
    assert arles.postcodes == ("13200", "13280", "13129")
    assert (ajaccio.code, ajaccio.name, ajaccio.population, ajaccio.postcodes) == ("2A004", "2A004", 7,
                                                                                     ("20000", "20090"))
    assert ajaccio.departement == "2A"
    assert (saint_denis.name, saint_denis.population, saint_denis.departement) == ("97411", None, "974")
    assert saint_denis.geometry == square(55.45, -20.88)


def test_csv_mistakes_are_told_by_line_with_what_to_do():
    csv = ("code,name,lat,lon,population\n"
           "13001,Aix,43.53,5.45,147000\n"
           ",Sans code,43.3,5.4,10\n"
           "13001,Aix bis,43.54,5.46,\n"
           "13004,Arles,,4.63,51811\n"
           "13005,Aubagne,43.29,5.57,-2\n"
           "13006,Loin,95.0,5.4,3\n")
    with pytest.raises(InputError) as err:
        read_areas("", data=csv.encode(), name="zones.csv")
    text = str(err.value)
    assert text.startswith("zones.csv : 5 problème(s) à corriger :\n")
    lines = text.splitlines()[1:]
    assert lines[0] == "  - ligne 3 : code vide. Renseignez le code INSEE de la zone."
    assert lines[1] == ("  - ligne 4 : code 13001 en double (déjà en ligne 2). Chaque zone doit avoir un code "
                        "unique.")
    assert lines[2] == ("  - ligne 5 : coordonnées manquantes ou illisibles (lat «  », lon « 4.63 »). Renseignez "
                        "lat et lon en degrés décimaux.")
    assert lines[3] == ("  - ligne 6 : population illisible : « -2 ». Écrivez un nombre entier positif, ou "
                        "laissez la case vide.")
    assert lines[4].startswith("  - ligne 7 : ")


def test_csv_without_its_columns_says_which_ones_and_what_a_zones_file_holds():
    with pytest.raises(InputError) as err:
        read_areas("", data=b"insee,latitude\n13001,43.5\n", name="zones.csv")
    assert str(err.value) == (
        "zones.csv — ligne 1 (en-tête) : colonne(s) manquante(s) : name, lon (colonnes trouvées : insee, latitude). "
        "Ajoutez-les : un fichier de zones en CSV a les colonnes code,name,lat,lon et, en option, population.")


def test_csv_optional_columns_fill_the_areas():
    csv = ("code_commune;nom_commune;latitude;longitude;pop;code_departement;codes_postaux\n"
           "13004;Arles;43.68;4.63;51811.7;13;13200,13280\n"
           "2A004;;41.93;8.74;;;20000\n"
           "97411;Saint-Denis;-20.88;55.45;1e3;;\n")
    areas = read_areas("", data=csv.encode(), name="zones.csv").areas
    assert [(a.code, a.name, a.population, a.departement, a.postcodes) for a in areas] == [
        ("13004", "Arles", 51811, "13", ("13200", "13280")),
        ("2A004", "2A004", None, "2A", ("20000",)),
        ("97411", "Saint-Denis", 1000, "974", ()),
    ]
    assert [(a.lat, a.lon, a.geometry) for a in areas] == [(43.68, 4.63, None), (41.93, 8.74, None),
                                                           (-20.88, 55.45, None)]


def test_a_population_beyond_any_country_is_a_typing_mistake():
    csv = "code,name,lat,lon,population\n1,A,43.3,5.4,100000000\n2,B,43.3,5.4,100000001\n"
    with pytest.raises(InputError) as err:
        read_areas("", data=csv.encode(), name="zones.csv")
    assert "ligne 3 : population illisible : « 100000001 »" in str(err.value) and "ligne 2" not in str(err.value)
    with pytest.raises(InputError, match="population illisible : « 100000001 »"):
        read_geojson(feature({"code": "1", "population": 100_000_001}, square(5.4, 43.3)))
    assert read_geojson(feature({"code": "1", "population": 100_000_000}, square(5.4, 43.3))).areas[0].population \
        == 100_000_000


def test_an_unknown_format_is_refused_with_the_formats_accepted():
    with pytest.raises(InputError) as err:
        read_areas("", data=b"x", name="zones.xlsx")
    assert str(err.value) == ("zones.xlsx : format non reconnu pour des zones. Fournissez un fichier .geojson "
                              "(contours) ou .csv (code,name,lat,lon).")
    assert read_areas("", data=b"code,name,lat,lon\n1,A,43.3,5.4\n", name="ZONES.TSV").areas[0].code == "1"


def test_area_frames_from_models_or_dicts_round_trip():
    areas = read_geojson(feature({"code": "13005", "name": "Aubagne", "population": 3,
                                  "postcodes": "13400"}, square(5.57, 43.29)),
                         feature({"code": "13028", "name": "La Ciotat"}, square(5.60, 43.17))).areas
    frame = area_frame(areas)
    assert list(frame.columns) == ["code", "name", "kind", "departement", "population", "postcodes", "lat", "lon",
                                   "geometry"]
    assert str(frame["population"].dtype) == "Int64" and frame["population"].isna().tolist() == [False, True]
    assert areas_of(frame) == areas
    assert areas_of(area_frame([a.model_dump() for a in areas])) == areas
    assert areas_of(pd.DataFrame(frame)).__len__() == 2


def test_csv_columns_under_their_other_names_and_a_departement_the_code_does_not_tell():
    csv = ("code;name;lat;lng;departement;postcodes;population\n"
           "Z1;Quartier nord;43.35;5.37;13;13015;0\n"
           "Z2;Quartier sud;43.25;5.40;13;13008, 13009;\n")
    read = read_areas("", data=csv.encode(), name="quartiers.csv")
    north, south = read.areas
    assert (north.lon, north.departement, north.postcodes, north.population) == (5.37, "13", ("13015",), 0)
    assert (south.departement, south.postcodes, south.population) == ("13", ("13008", "13009"), None)
    assert str(read.frame["population"].dtype) == "Int64"  # whole numbers, unknown ones missing
    other = read_areas("", data=b"code,name,lat,lon\nZ3,Zone,43.3,5.4\n", name="zones.csv")
    assert str(other.frame["population"].dtype) == "Int64" and other.areas[0].population is None


def test_csv_kinds_declared_beyond_what_the_code_tells():
    csv = ("code,name,lat,lon,kind\n"
           "75108,Paris 8e,48.87,2.31,\n"
           "Z1,Secteur 1,43.30,5.40,arrondissement\n"
           "Z2,Secteur 2,43.30,5.40,custom\n")
    kinds = [a.kind for a in read_areas("", data=csv.encode(), name="zones.csv").areas]
    assert kinds == ["arrondissement", "arrondissement", "custom"]


def test_csv_without_code_nor_lat_names_both_missing_columns():
    with pytest.raises(InputError) as err:
        read_areas("", data=b"nom,lon\nA,5.4\n", name="zones.csv")
    assert "colonne(s) manquante(s) : code, lat (colonnes trouvées : nom, lon)" in str(err.value)


def test_csv_reads_say_their_file_and_notes_and_keep_a_departement_given_in_the_file():
    csv = "code;nom;latitude;longitude;code_departement\nZ9;Zone;43.3;5.4;13\n".encode("cp1252")
    read = read_areas("", data=csv, name="zones.csv")
    assert read.path == "zones.csv" and read.areas[0].departement == "13"
    assert read.areas[0].postcodes == ()
    accented = "code;nom;lat;lon\nZ1;Méjanes;43.53;5.45\n".encode("cp1252")
    assert any("Windows-1252" in n for n in read_areas("", data=accented, name="zones.csv").notes)


def test_a_population_of_zero_is_an_empty_zone_not_a_mistake():
    area = read_geojson(feature({"code": "Z0", "population": 0}, square(5.4, 43.3))).areas[0]
    assert area.population == 0


def test_an_uploaded_geojson_is_named_by_its_file_name_in_messages():
    with pytest.raises(InputError) as err:
        read_areas("", data=b"[]", name="contours.geojson")
    assert str(err.value).startswith("contours.geojson : ce n'est pas une FeatureCollection GeoJSON.")


def test_geojson_departements_given_in_the_properties_are_kept():
    read = read_geojson(feature({"code": "Z1", "departement": "13"}, square(5.4, 43.3)),
                        feature({"code": "Z2", "code_departement": "84"}, square(5.0, 43.9)))
    assert [a.departement for a in read.areas] == ["13", "84"] and read.path == "zones.geojson"


@pytest.mark.parametrize("name", ["zones.csv.gz", "zones.txt", "zones.json"])
def test_every_accepted_extension_is_read(name, tmp_path):
    import gzip

    if name.endswith(".json"):
        data = geojson(feature({"code": "Z1"}, square(5.4, 43.3)))
    else:
        data = b"code,name,lat,lon\nZ1,Zone,43.3,5.4\n"
        data = gzip.compress(data) if name.endswith(".gz") else data
    (tmp_path / name).write_bytes(data)  # a file: only files are decompressed (.gz), not uploads
    assert read_areas(tmp_path / name).areas[0].code == "Z1"


def test_a_frame_made_from_dicts_without_an_outline_gives_areas_without_geometry():
    frame = area_frame([{"code": "Z", "name": "Zone", "kind": "custom", "departement": "13", "population": 5,
                         "postcodes": "13001;13002", "lat": 43.3, "lon": 5.4}])
    (area,) = areas_of(frame)
    assert (area.geometry, area.postcodes, area.population) == (None, ("13001", "13002"), 5)


def test_postcodes_given_as_json_numbers_keep_their_leading_zero():
    bourg, laon = read_geojson(
        feature({"insee": "01053", "postcodes": 1000}, square(5.22, 46.2)),
        feature({"insee": "02408", "postcodes": [2000, "02001"]}, square(3.62, 49.56)),
    ).areas
    assert bourg.postcodes == ("01000",) and laon.postcodes == ("02000", "02001")


def test_a_gzipped_upload_is_read_as_the_same_file_on_disk(tmp_path):
    import gzip

    text = "code;name;lat;lng\n13055;Marseille;43.3;5.37\n"
    (tmp_path / "zones.csv.gz").write_bytes(gzip.compress(text.encode()))
    on_disk = read_areas(tmp_path / "zones.csv.gz").areas
    uploaded = read_areas("", data=gzip.compress(text.encode()), name="zones.csv.gz").areas
    assert [(a.code, a.name) for a in uploaded] == [(a.code, a.name) for a in on_disk] == [("13055", "Marseille")]
