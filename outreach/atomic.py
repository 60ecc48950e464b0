"""Writing outputs so that a failure never leaves a half-written file or folder behind."""

from __future__ import annotations

import errno
import hashlib
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from outreach.errors import InputError


def unwritable(path: Path, exc: OSError) -> InputError:
    """A write the system refused (no such folder, no right, read-only or full disk) as a French error."""
    reasons = {2: "le dossier n'existe pas et ne peut pas être créé", 13: "droit d'écriture refusé",
               17: "un fichier porte le nom d'un dossier du chemin", 20: "un élément du chemin est un fichier",
               21: "c'est un dossier", 28: "disque plein", 30: "système de fichiers en lecture seule"}
    reason = reasons.get(exc.errno, exc.strerror or type(exc).__name__)
    return InputError(f"impossible d'écrire ici ({reason}).", file=path,
                      fix="Choisissez un dossier de sortie où vous avez le droit d'écrire, ou libérez de la place.")


def write_bytes(path: str | Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file renamed over it; an OSError becomes an InputError."""
    path = Path(path)
    try:
        _write_bytes(path, data)
    except OSError as exc:
        raise unwritable(path, exc) from exc


def keep_in_cache(path: str | Path, data: bytes) -> None:
    """Write a cache file if the folder allows it: a read-only or full cache folder only costs speed, so the
    refusal is not the user's problem (unlike `write_bytes`, whose refusals name the output to change)."""
    with suppress(OSError):
        _write_bytes(Path(path), data)


# ------------------------------------------------------------------------------------------ linked cache files
# A national plan exports 2,640 images that the visuals cache already holds (86 MB). Creating that many files
# costs the kernel 0.75-1.15 s of system time on this project's ext4 disk (docs/performance.md); hard links to
# the cache's files cost 0.03 s and allocate neither an inode nor data blocks. A link shares its file with the
# cache, so the cache keeps such files read-only and marked, and trusts one only while it stays so.

LINKS = os.name != "nt"  # Windows can neither replace nor remove a read-only file: copies only there
_WRITE_BITS = 0o222


class KeptBytes(bytes):
    """Bytes that are exactly those of the read-only cache file `source`, which had the `signature` (device,
    inode, size, mtime) when read or written: `write_files` may link that file instead of writing a copy.
    Anything else sees plain bytes (a zip, a comparison, an upload); pickled or copied, they are plain bytes."""

    source: str
    signature: tuple[int, int, int, int]

    def __reduce__(self):
        return bytes, (bytes(self),)


def keep_linkable(path: str | Path, data: bytes) -> bytes:
    """Keep `data` in the cache file `path`, read-only, its modification time set to a whole second (the mark
    that `read_linkable` checks: writing into the file in place, even as root whom the mode does not stop,
    sets a time with nanoseconds). `data` back as `KeptBytes` of that file, or as it is when the cache folder
    refuses (as `keep_in_cache`, that costs speed only) and on Windows."""
    if not LINKS:
        keep_in_cache(path, data)
        return data
    try:
        stat = _write_bytes(Path(path), data, read_only=True)
    except OSError:
        return data
    return data if stat is None else _kept(data, path, stat)  # None: written through a device, not kept


def read_linkable(path: str | Path) -> bytes | None:
    """The bytes of the cache file `path` (written by `keep_linkable`) as `KeptBytes`, if it is still as the
    cache wrote it: None when it is missing or unreadable, or when it was made writable or written since (a
    linked copy edited in place), the caller then making the bytes again and keeping them, which replaces the
    file and leaves the edited one to whoever edited it. One `fstat` per file read from disk."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        stat = os.fstat(fd)
        data = os.read(fd, stat.st_size + 1)  # one past: a file that grew since the fstat is not taken
    except OSError:
        return None
    finally:
        os.close(fd)
    if len(data) != stat.st_size:
        return None
    if not LINKS:
        return data
    if stat.st_mode & _WRITE_BITS or stat.st_mtime_ns % 1_000_000_000:
        return None
    return _kept(data, path, stat)


def _kept(data: bytes, path: str | Path, stat: os.stat_result) -> KeptBytes:
    kept = KeptBytes(data)
    kept.source, kept.signature = str(path), _signature(stat)
    return kept


def _signature(stat: os.stat_result) -> tuple[int, int, int, int]:
    return stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns


def _same_kept_file(stat: os.stat_result, data: bytes) -> bool:
    """True when `stat` is the very cache file `data` was read from, unchanged since (then it holds `data`)."""
    return type(data) is KeptBytes and _signature(stat) == data.signature and not stat.st_mode & _WRITE_BITS


def _link_kept(data: KeptBytes, target: str) -> bool:
    """Hard-link `data`'s cache file as `target` if that file is still the one read; False (nothing done) if
    it changed since. An OSError when the file system refuses links (another device, no links)."""
    if not _same_kept_file(os.stat(data.source), data):
        return False
    os.link(data.source, target)
    return True


def source_digest(paths: Iterable[str | Path]) -> str:
    """Hash of these source files' bytes: the part of a cache key that changes when the code that made the
    cached value changes."""
    return hashlib.sha256(b"".join(Path(p).read_bytes() for p in paths)).hexdigest()


def _write_bytes(path: Path, data: bytes, *, read_only: bool = False) -> os.stat_result | None:
    """The file's stat when written `read_only` (mode 0444, mtime a whole second, both set before the rename:
    the file is never seen writable under its name)."""
    if path.exists() and not path.is_file():
        # a device or a pipe (/dev/null, /dev/stdout): write through, never replace it
        with open(path, "wb") as f:
            f.write(data)
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        stat = None
        if read_only:
            second = time.time_ns() // 1_000_000_000 * 1_000_000_000
            os.utime(tmp, ns=(second, second))
            os.chmod(tmp, 0o444)
            stat = os.stat(tmp)
        os.replace(tmp, path)
        return stat
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: str | Path, text: str, encoding: str = "utf-8") -> None:
    write_bytes(path, text.encode(encoding))


@contextmanager
def open_for_writing(path: str | Path, encoding: str = "utf-8") -> Iterator:
    """A text file to write step by step: it replaces `path` when the block ends without error, and is
    removed otherwise (`path` is then left as it was)."""
    path = Path(path)
    if path.exists() and not path.is_file():  # a device or a pipe: write through
        with open(path, "w", encoding=encoding, newline="") as f:
            yield f
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as f:
            yield f
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def output_dir(path: str | Path) -> Iterator[Path]:
    """Yield a staging folder; on success its files replace those of `path`, on failure nothing changes.

    Files already in `path` that the job does not write are left alone (a user's notes, attestations…).
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = _staging_folder(target)
    except OSError as exc:
        raise unwritable(target, exc) from exc
    try:
        yield staging
        try:
            _move_into(str(staging), str(target))
        except OSError as exc:
            raise unwritable(target, exc) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _staging_folder(target: Path) -> Path:
    """A new folder beside `target`, made as `target` itself would be (the umask's permissions, not
    mkdtemp's 0700): when `target` does not exist yet, the staging folder becomes it by one rename."""
    for _ in range(100):
        staging = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
        try:
            staging.mkdir()
            return staging
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free name for a staging folder", str(target.parent))


def _move_into(staging: str, target: str) -> None:
    """Every file of `staging` into `target`, in name order, folder by folder. A folder that `target` does not
    hold yet is moved whole, by one rename: a national plan's first export (2,644 files, 2,640 under
    images/) then costs one rename, not one per file. Plain paths, not a Path object per file."""
    if _rename_if_new(staging, target):
        return
    for folder, subfolders, files in os.walk(staging):
        into = os.path.join(target, os.path.relpath(folder, staging))
        for name in sorted(files):
            os.replace(os.path.join(folder, name), os.path.join(into, name))
        moved = [name for name in sorted(subfolders)
                 if _rename_if_new(os.path.join(folder, name), os.path.join(into, name))]
        subfolders[:] = sorted(set(subfolders) - set(moved))  # os.walk descends only into the others


def _rename_if_new(folder: str, target: str) -> bool:
    """Rename `folder` to `target` when nothing is there; False, changing nothing, when a folder (or a link to
    one) is there already, whose files are then replaced one by one."""
    if os.path.isdir(target):
        return False
    if os.path.lexists(target):
        raise FileExistsError(errno.EEXIST, "a file stands where a folder is written", target)
    try:
        os.rename(folder, target)
        return True
    except OSError as exc:
        if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):  # made meanwhile by another writer
            return False
        raise


def write_files(out_dir: str | Path, files: dict[str, bytes]) -> None:
    """`files` (name relative to `out_dir`, sub-folders allowed, e.g. images/) written there, all or nothing.

    A file that `out_dir` already holds byte for byte is left as it is rather than written again: planning a
    national campaign again into its folder then rewrites none of its 2,640 images (a file created and one
    deleted per image, which a file system without a journal makes slow for the next minutes).

    A value that is `KeptBytes` (a visual of the cache) is written as a hard link to its cache file, which
    creates no inode; where links are refused (another file system, a system without them, Windows) or the
    cache file changed since it was read, its bytes are written as any other value's."""
    if os.path.isdir(out_dir):
        unchanged = _unchanged(Path(out_dir), files)
        files = {name: data for name, data in files.items() if name not in unchanged}
    with output_dir(out_dir) as staging:
        for folder in sorted({os.path.dirname(name) for name in files} - {""}):  # once, not once per file
            (staging / folder).mkdir(parents=True, exist_ok=True)
        linking = LINKS
        for name, data in files.items():
            target = os.path.join(staging, name)
            if linking and type(data) is KeptBytes:
                try:
                    if _link_kept(data, target):
                        continue
                except OSError as exc:
                    # a cache file gone costs that file's link; any other refusal, every link of this call
                    linking = exc.errno == errno.ENOENT
            with open(target, "wb") as f:
                f.write(data)


def _unchanged(target: Path, files: dict[str, bytes]) -> set[str]:
    """The names among `files` that `target` holds as regular files with the same bytes (not symbolic links):
    known from the stat alone for a hard link to the unchanged cache file of `KeptBytes`, else compared."""
    same: set[str] = set()
    for folder in {os.path.dirname(name) for name in files}:
        try:
            with os.scandir(target / folder) as entries:
                found = [(f"{folder}/{e.name}" if folder else e.name, e) for e in entries]
        except OSError:  # no such folder yet, or not one: everything in it is written
            continue
        for name, entry in found:
            data = files.get(name)
            if data is None:
                continue
            with suppress(OSError):
                if entry.is_file(follow_symlinks=False):
                    stat = entry.stat(follow_symlinks=False)
                    if stat.st_size == len(data) and \
                            (_same_kept_file(stat, data) or _read(entry.path, len(data)) == data):
                        same.add(name)
    return same


def _read(path: str, size: int) -> bytes:
    """The file's bytes, up to one past `size` (enough to tell a file that grew since its stat; a short read
    only has the file written again): one read call, without a Path or a buffered file object per file, which halved `_unchanged` on a national plan's
    2,644 files (0.10 → 0.05 s of CPU)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.read(fd, size + 1)
    finally:
        os.close(fd)
