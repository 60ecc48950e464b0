"""Writing a set of files all or nothing (outreach.atomic.write_files), and leaving alone the files the folder
already holds byte for byte (a national plan written again into its export folder rewrites no image)."""

import copy
import os
import pickle

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


# ------------------------------------------------------------------------------------------ linked cache files

def test_kept_bytes_are_linked_from_their_read_only_cache_file_and_copied_if_it_is_gone(tmp_path):
    kept = atomic.keep_linkable(tmp_path / "cache" / "a.png", b"drawn a")
    gone = atomic.keep_linkable(tmp_path / "cache" / "b.png", b"drawn b")
    cached = os.stat(tmp_path / "cache" / "a.png")
    assert cached.st_mode & 0o777 == 0o444 and cached.st_mtime_ns % 10**9 == 0  # the cache's mark
    assert atomic.read_linkable(tmp_path / "cache" / "a.png") == kept == b"drawn a"
    (tmp_path / "cache" / "b.png").unlink()  # the cache pruned after the read: the bytes are written
    atomic.write_files(tmp_path / "out", {"a.png": kept, "b.png": gone, "plan.csv": b"x"})
    assert os.stat(tmp_path / "out" / "a.png").st_ino == cached.st_ino
    assert (tmp_path / "out" / "b.png").read_bytes() == b"drawn b" and os.stat(tmp_path / "out" / "b.png").st_nlink == 1
    # anything that copies or pickles them gets plain bytes, without the file
    assert type(pickle.loads(pickle.dumps(kept))) is bytes and type(copy.copy(kept)) is bytes


def test_a_cache_file_changed_since_the_cache_wrote_it_is_not_trusted_nor_linked(tmp_path):
    path = tmp_path / "cache" / "a.png"
    kept = atomic.keep_linkable(path, b"drawn")
    path.chmod(0o644)  # made writable: someone may have written into it, through a linked copy
    assert atomic.read_linkable(path) is None
    path.write_bytes(b"edit!")
    path.chmod(0o444)  # written in place then made read-only again (root needs no chmod at all)
    assert atomic.read_linkable(path) is None  # its modification time has lost the cache's whole second
    # bytes read before the edit: written as they are, never linked to the edited file
    atomic.write_files(tmp_path / "out", {"a.png": kept})
    assert (tmp_path / "out" / "a.png").read_bytes() == b"drawn"
    assert os.stat(tmp_path / "out" / "a.png").st_ino != os.stat(path).st_ino
    # kept again: a new read-only file replaces the edited one
    atomic.keep_linkable(path, b"drawn")
    assert atomic.read_linkable(path) == b"drawn" and path.stat().st_mode & 0o777 == 0o444


def test_without_links_windows_the_cache_files_stay_writable_and_the_export_gets_copies(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic, "LINKS", False)  # as on Windows, where a read-only file cannot be replaced
    kept = atomic.keep_linkable(tmp_path / "cache" / "a.png", b"drawn")
    assert type(kept) is bytes and os.stat(tmp_path / "cache" / "a.png").st_mode & 0o200
    read = atomic.read_linkable(tmp_path / "cache" / "a.png")
    assert type(read) is bytes and read == b"drawn"
    atomic.write_files(tmp_path / "out", {"a.png": read})
    assert os.stat(tmp_path / "out" / "a.png").st_nlink == 1 and (tmp_path / "out" / "a.png").read_bytes() == b"drawn"
