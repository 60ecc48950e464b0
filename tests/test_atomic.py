"""Writing a set of files all or nothing (outreach.atomic.write_files), and leaving alone the files the folder
already holds byte for byte (a national plan written again into its export folder rewrites no image)."""

import os

import pytest

from outreach import atomic
from outreach.errors import InputError


def test_files_and_sub_folders_are_written_and_other_files_left_alone(tmp_path):
    out = tmp_path / "export"
    out.mkdir()
    (out / "notes.txt").write_text("à garder")
    atomic.write_files(out, {"plan.csv": b"a;b\n", "images/x.png": b"\x89PNG1", "images/y.png": b"\x89PNG2"})
    assert (out / "plan.csv").read_bytes() == b"a;b\n" and (out / "images" / "y.png").read_bytes() == b"\x89PNG2"
    assert (out / "notes.txt").read_text() == "à garder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export"]  # no staging folder left behind


def test_a_file_already_there_with_the_same_bytes_is_not_written_again(tmp_path):
    out = tmp_path / "export"
    atomic.write_files(out, {"plan.csv": b"v1", "images/x.png": b"same", "images/y.png": b"old"})
    before = {name: os.stat(out / name).st_ino for name in ("plan.csv", "images/x.png", "images/y.png")}
    atomic.write_files(out, {"plan.csv": b"v2", "images/x.png": b"same", "images/y.png": b"new"})
    assert os.stat(out / "images/x.png").st_ino == before["images/x.png"]  # the very same file
    for name, data in (("plan.csv", b"v2"), ("images/y.png", b"new")):  # changed: replaced
        assert (out / name).read_bytes() == data and os.stat(out / name).st_ino != before[name]
    # the same size is not enough: the bytes are compared
    atomic.write_files(out, {"images/x.png": b"emas"})
    assert (out / "images/x.png").read_bytes() == b"emas"
    assert os.stat(out / "images/x.png").st_ino != before["images/x.png"]


def test_a_link_or_a_folder_in_the_way_is_never_taken_for_the_file(tmp_path):
    elsewhere = tmp_path / "cache.png"
    elsewhere.write_bytes(b"same")
    out = tmp_path / "export"
    (out / "images").mkdir(parents=True)
    (out / "images" / "x.png").symlink_to(elsewhere)  # a link to identical bytes: replaced by a file of its own
    atomic.write_files(out, {"images/x.png": b"same"})
    assert not (out / "images" / "x.png").is_symlink() and (out / "images" / "x.png").read_bytes() == b"same"
    (out / "plan.csv").mkdir()  # a folder where the file goes: the refusal is said, nothing else is changed
    with pytest.raises(InputError, match="impossible d'écrire"):
        atomic.write_files(out, {"plan.csv": b"x", "images/x.png": b"other"})
    assert (out / "images" / "x.png").read_bytes() == b"same" and elsewhere.read_bytes() == b"same"


def test_a_new_folder_or_sub_folder_is_moved_whole_with_the_permissions_of_a_folder_made_there(tmp_path):
    # the staging folder becomes the export by one rename: its permissions are those of a plain mkdir
    (tmp_path / "plain").mkdir()
    atomic.write_files(tmp_path / "new", {"plan.csv": b"1", "images/x.png": b"x"})
    assert (tmp_path / "new" / "images" / "x.png").read_bytes() == b"x"
    assert os.stat(tmp_path / "new").st_mode == os.stat(tmp_path / "plain").st_mode
    # a folder already there keeps its other files; its missing images/ is moved in whole, and planning
    # again replaces the changed file inside it
    old = tmp_path / "old"
    old.mkdir()
    (old / "notes.txt").write_text("à garder")
    atomic.write_files(old, {"plan.csv": b"1", "images/x.png": b"x", "images/y.png": b"y"})
    atomic.write_files(old, {"plan.csv": b"2", "images/x.png": b"x2", "images/y.png": b"y"})
    assert sorted(p.name for p in (old / "images").iterdir()) == ["x.png", "y.png"]
    assert (old / "images" / "x.png").read_bytes() == b"x2" and (old / "plan.csv").read_bytes() == b"2"
    assert (old / "notes.txt").read_text() == "à garder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new", "old", "plain"]  # no staging folder left
    # a file where the folder goes: refused in French, nothing written
    (tmp_path / "file").write_text("")
    with pytest.raises(InputError, match="un fichier porte le nom"):
        atomic.write_files(tmp_path / "file", {"plan.csv": b"1"})
    with pytest.raises(InputError, match="un fichier porte le nom"):
        atomic.write_files(old, {"notes.txt/x.png": b"x"})
    assert (old / "notes.txt").read_text() == "à garder"
