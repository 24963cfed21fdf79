"""Small-file and listing helpers that work on any filesystem Spark can reach (local, gs://)."""

from __future__ import annotations


def _fs_and_path(spark, uri: str):
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    return path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), path


def write_text_atomically(spark, uri: str, text: str) -> None:
    """Write a small text file through Hadoop's FileSystem: temp file, then rename over the target."""
    fs, path = _fs_and_path(spark, uri)
    temp = spark.sparkContext._jvm.org.apache.hadoop.fs.Path(path.getParent(), "." + path.getName() + ".tmp")
    stream = fs.create(temp, True)
    try:
        stream.write(bytearray(text.encode("utf-8")))
    finally:
        stream.close()
    if fs.exists(path):
        fs.delete(path, False)
    if not fs.rename(temp, path):
        raise OSError(f"could not publish {uri}")


def exists(spark, uri: str) -> bool:
    fs, path = _fs_and_path(spark, uri)
    return bool(fs.exists(path))


def first_data_file(spark, uri: str) -> str | None:
    """Name of the first data file under `uri` (a file, folder or glob; folders are walked), or None.

    Names starting with `_` or `.` (manifests, `_SUCCESS`, hidden staging files) are not data, as in Spark.
    """
    fs, path = _fs_and_path(spark, uri)
    for status in fs.globStatus(path) or []:
        files = fs.listFiles(status.getPath(), True)
        while files.hasNext():
            name = files.next().getPath().getName()
            if not name.startswith(("_", ".")):
                return name
    return None


def list_partition_values(spark, table_uri: str, column: str) -> list[str]:
    """Values of the `<column>=<value>` folders directly under a table folder (empty if it does not exist)."""
    fs, path = _fs_and_path(spark, table_uri)
    if not fs.exists(path):
        return []
    prefix = column + "="
    return sorted(
        status.getPath().getName()[len(prefix) :]
        for status in fs.listStatus(path)
        if status.isDirectory() and status.getPath().getName().startswith(prefix)
    )


def replace_folder(spark, source_uri: str, target_uri: str) -> None:
    """Move the finished folder `source_uri` to `target_uri`, replacing what was there.

    The target is either the old complete folder, briefly absent, or the new complete folder; never
    half-written. (On gs:// the rename is a copy + delete of a few small objects.)
    """
    fs, target = _fs_and_path(spark, target_uri)
    _, source = _fs_and_path(spark, source_uri)
    if fs.exists(target):
        fs.delete(target, True)
    fs.mkdirs(target.getParent())
    if not fs.rename(source, target):
        raise OSError(f"could not move {source_uri} to {target_uri}")


def read_text(spark, uri: str) -> str | None:
    """The whole (small) text file at `uri`, or None when it does not exist."""
    fs, path = _fs_and_path(spark, uri)
    if not fs.exists(path):
        return None
    jvm = spark.sparkContext._jvm
    stream = fs.open(path)
    try:
        return jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8")
    finally:
        stream.close()


def read_first_line(spark, uri: str) -> str | None:
    """The first line of a file, decompressed by its extension (`.gz`), or None when it has no line.

    Raises the file system's error (e.g. `java.io.EOFException`) when the file cannot be decoded.
    """
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    fs, path = _fs_and_path(spark, uri)
    stream = fs.open(path)
    try:
        codec = jvm.org.apache.hadoop.io.compress.CompressionCodecFactory(conf).getCodec(path)
        if codec is not None:
            stream = codec.createInputStream(stream)
        return jvm.java.io.BufferedReader(jvm.java.io.InputStreamReader(stream, "UTF-8")).readLine()
    finally:
        stream.close()


def delete(spark, uri_or_glob: str) -> int:
    """Delete every file or folder matching `uri_or_glob` (recursively); the number deleted."""
    fs, path = _fs_and_path(spark, uri_or_glob)
    matches = fs.globStatus(path) or []
    for status in matches:
        fs.delete(status.getPath(), True)
    return len(matches)


def make_folders(spark, uri: str) -> None:
    fs, path = _fs_and_path(spark, uri)
    fs.mkdirs(path)
