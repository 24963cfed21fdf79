"""The project's own file operations on the lake, local folders and `gs://`, without Spark or its JVM.

Built on `pyarrow.fs` (LocalFileSystem, GcsFileSystem), which the warehouse loaders already use, so
the layer adds no dependency; gcsfs/fsspec would have added aiohttp and a second GCS client. (A timed
comparison against fake-gcs-server was started but could not finish on the shared 2-core machine
under a load average of 20, so the choice rests on the dependency count, not on a measurement.)
On gs:// the client talks to STORAGE_EMULATOR_HOST when it is set (fake-gcs-server in tests).

Spark still reads and writes table data through its own connector; only small files, listings and the
commit protocol's moves go through here. Names starting with `_` or `.` are not data, as in Spark.
"""

from __future__ import annotations

import contextlib
import fnmatch
import functools
import os
import uuid
from dataclasses import dataclass


class _PyarrowFs:
    """`pyarrow.fs`, imported on first use: the CLI parses a command (and the Dataproc driver starts)
    without pyarrow, numpy or pandas (tests/test_cli_imports.py)."""

    def __getattr__(self, name: str):
        import pyarrow.fs

        return getattr(pyarrow.fs, name)


pafs = _PyarrowFs()

GLOB_CHARS = "*?["


@dataclass(frozen=True)
class Entry:
    uri: str  # as the caller spells it: a local path or gs://bucket/key
    is_dir: bool
    size: int
    mtime: float | None  # seconds since the epoch; None where the store does not say


def is_gcs(uri: str) -> bool:
    return uri.startswith("gs://")


@functools.lru_cache(maxsize=4)
def _gcs(emulator: str | None) -> pafs.FileSystem:
    if emulator:
        scheme, _, host = emulator.rstrip("/").partition("://")
        return pafs.GcsFileSystem(
            anonymous=True, endpoint_override=host or scheme, scheme=scheme if host else "http"
        )
    return pafs.GcsFileSystem()


def filesystem(uri: str) -> tuple[pafs.FileSystem, str]:
    """The pyarrow filesystem for `uri` and the path as that filesystem spells it."""
    if is_gcs(uri):
        return _gcs(os.environ.get("STORAGE_EMULATOR_HOST")), uri[len("gs://") :].rstrip("/")
    if "://" in uri and not uri.startswith("file://"):
        raise ValueError(f"unsupported URI {uri!r}: use a local path or gs://bucket/prefix")
    return pafs.LocalFileSystem(), os.path.abspath(uri.removeprefix("file://"))


def _info(uri: str) -> pafs.FileInfo:
    fs, path = filesystem(uri)
    return fs.get_file_info(path)


def exists(uri: str) -> bool:
    """A file or folder at `uri` (on gs://, a folder exists when an object lies under it)."""
    return _info(uri).type != pafs.FileType.NotFound


def is_dir(uri: str) -> bool:
    return _info(uri).type == pafs.FileType.Directory


def list_entries(uri: str, recursive: bool = False) -> list[Entry]:
    """What lies under the folder `uri` (empty if it does not exist), sorted by name.

    On gs:// folders are derived from the object names: fake-gcs-server lists no prefixes, and the
    GCS connector's folder markers may or may not be there.
    """
    fs, path = filesystem(uri)
    if fs.get_file_info(path).type != pafs.FileType.Directory:
        return []
    base = uri.rstrip("/")
    gcs = is_gcs(uri)
    infos = fs.get_file_info(pafs.FileSelector(path, recursive=recursive or gcs, allow_not_found=True))
    entries: dict[str, Entry] = {}
    for info in infos:
        relative = info.path[len(path) + 1 :]
        if gcs:
            parts = relative.split("/")
            folders = parts[:-1] if info.type == pafs.FileType.File else parts
            for depth in range(1, len(folders) + 1):
                if recursive or depth == 1:
                    name = "/".join(folders[:depth])
                    entries.setdefault(name, Entry(f"{base}/{name}", True, 0, None))
            if info.type != pafs.FileType.File or (not recursive and len(parts) > 1):
                continue
        mtime = info.mtime.timestamp() if info.mtime is not None else None
        entries[relative] = Entry(
            f"{base}/{relative}", info.type == pafs.FileType.Directory, info.size or 0, mtime
        )
    return [entries[name] for name in sorted(entries)]


def is_data_name(name: str) -> bool:
    return not name.startswith(("_", "."))


def data_files(uri: str) -> list[str]:
    """Names (relative to the folder `uri`) of its data files at any depth, skipping hidden paths."""
    prefix = uri.rstrip("/") + "/"
    names = []
    for entry in list_entries(uri, recursive=True):
        relative = entry.uri[len(prefix) :]
        if not entry.is_dir and all(is_data_name(part) for part in relative.split("/")):
            names.append(relative)
    return names


def first_data_file(uri: str) -> str | None:
    """Name of the first data file under `uri` (a file, folder or glob; folders are walked), or None.

    Names starting with `_` or `.` (manifests, `_SUCCESS`, hidden staging files) are not data, as in Spark.
    """
    parts = uri.rstrip("/").split("/")
    globbed = next((i for i, part in enumerate(parts) if any(c in part for c in GLOB_CHARS)), None)
    if globbed is None:
        info = _info(uri)
        if info.type == pafs.FileType.File:
            return parts[-1]
        names = data_files(uri)
        return names[0].rsplit("/", 1)[-1] if names else None
    base = "/".join(parts[:globbed])
    pattern = parts[globbed:]
    for relative in data_files(base):
        pieces = relative.split("/")
        if len(pieces) >= len(pattern) and all(
            fnmatch.fnmatchcase(piece, want) for piece, want in zip(pieces, pattern, strict=False)
        ):
            return pieces[-1]
    return None


def parquet_rows(uri: str) -> int:
    """Rows in the Parquet data files under the folder `uri` (0 if none), from their footers alone.

    No Spark job: a mart's write is followed by this count for its log line, and on classic Spark a
    count job costs about 0.2 s even for a few rows (11 of them per `marts` run).
    """
    import pyarrow.parquet as pq

    fs, path = filesystem(uri)
    total = 0
    for name in data_files(uri):
        with fs.open_input_file(f"{path}/{name}") as handle:
            total += pq.ParquetFile(handle).metadata.num_rows
    return total


def list_partition_values(table_uri: str, column: str) -> list[str]:
    """Values of the `<column>=<value>` folders directly under a table folder (empty if it does not exist)."""
    prefix = column + "="
    return sorted(
        name[len(prefix) :]
        for name in (entry.uri.rsplit("/", 1)[-1] for entry in list_entries(table_uri) if entry.is_dir)
        if name.startswith(prefix)
    )


def read_text(uri: str) -> str:
    fs, path = filesystem(uri)
    with fs.open_input_stream(path) as stream:
        return stream.read().decode("utf-8")


def write_text_atomically(uri: str, text: str) -> None:
    """Readers see the old text or the new, never part of it.

    Locally: a temp file beside the target, fsynced, renamed over it. On gs:// one object upload is
    already all-or-nothing.
    """
    fs, path = filesystem(uri)
    data = text.encode("utf-8")
    if is_gcs(uri):
        with fs.open_output_stream(path) as stream:
            stream.write(data)
        return
    folder, name = os.path.split(path)
    os.makedirs(folder, exist_ok=True)
    temp = os.path.join(folder, f".{name}.tmp-{uuid.uuid4().hex[:8]}")
    try:
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.remove(temp)


def delete(uri: str) -> None:
    """Remove a file or a whole folder; nothing happens if it is not there."""
    fs, path = filesystem(uri)
    info = fs.get_file_info(path)
    if info.type == pafs.FileType.Directory and is_gcs(uri):
        # object by object: pyarrow's delete_dir also deletes a folder marker, which may not exist
        selector = pafs.FileSelector(path, recursive=True, allow_not_found=True)
        for item in fs.get_file_info(selector):
            if item.type == pafs.FileType.File:
                with contextlib.suppress(FileNotFoundError):
                    fs.delete_file(item.path)
        with contextlib.suppress(FileNotFoundError, OSError):
            fs.delete_file(path + "/")  # the GCS connector's marker, if it wrote one
    elif info.type == pafs.FileType.Directory:
        fs.delete_dir(path)
    elif info.type == pafs.FileType.File:
        fs.delete_file(path)


def move_folder(source_uri: str, target_uri: str) -> None:
    """Move a folder to a place where nothing is (or, on gs://, merge it into what is there).

    Locally one rename: atomic. On gs:// there are no folders: every object is copied (rewritten on
    the server), then the sources are deleted; a run killed half-way leaves the sources complete or
    the copies complete, which the commit protocol (spark_jobs/commit.py) recognises and finishes.
    """
    fs, source = filesystem(source_uri)
    _, target = filesystem(target_uri)
    if not is_gcs(source_uri):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.rename(source, target)
        return
    infos = [
        info
        for info in fs.get_file_info(pafs.FileSelector(source, recursive=True, allow_not_found=True))
        if info.type == pafs.FileType.File
    ]
    for info in infos:
        fs.copy_file(info.path, target + info.path[len(source) :])
    for info in infos:
        fs.delete_file(info.path)


def replace_folder(source_uri: str, target_uri: str) -> None:
    """Move the finished folder `source_uri` to `target_uri`, replacing what was there.

    The target is either the old complete folder, briefly absent, or the new complete folder; never
    half-written locally. (On gs:// the move is a copy + delete of a few small objects.)
    """
    delete(target_uri)
    move_folder(source_uri, target_uri)


def _local_or_uri(uri: str) -> str:
    """Spark's local file URIs (`file:/tmp/x`, `file:///tmp/x`) as local paths; other URIs unchanged."""
    if uri.startswith("file:") and not uri.startswith("file://"):
        return uri[len("file:") :]
    return uri


def read_first_line(uri: str, limit: int = 65536) -> str | None:
    """The first line of a file (without its line end), gunzipped when named `.gz`; None when empty.

    Raises OSError when the file cannot be decoded (e.g. a gzip stream cut before its first line).
    """
    fs, path = filesystem(_local_or_uri(uri))
    compression = "gzip" if path.endswith(".gz") else None
    with fs.open_input_stream(path, compression=compression) as stream:
        head = b""
        while b"\n" not in head and len(head) < limit:
            chunk = stream.read(4096)
            if not chunk:
                break
            head += chunk
    if not head:
        return None
    return head.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8", errors="replace")


def delete_matching(uri_glob: str) -> int:
    """Delete every file or folder whose name matches the glob's last part (e.g. `.../batch_id=stream-*`)."""
    parent, pattern = uri_glob.rstrip("/").rsplit("/", 1)
    if not exists(parent):
        return 0
    matches = [
        entry.uri for entry in list_entries(parent) if fnmatch.fnmatch(entry.uri.rsplit("/", 1)[-1], pattern)
    ]
    for uri in matches:
        delete(uri)
    return len(matches)


def make_folders(uri: str) -> None:
    fs, path = filesystem(uri)
    fs.create_dir(path, recursive=True)
