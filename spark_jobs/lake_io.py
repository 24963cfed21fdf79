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


def remove_folder(spark, uri: str) -> None:
    """Delete a folder and everything under it (nothing happens when it does not exist)."""
    fs, path = _fs_and_path(spark, uri)
    if fs.exists(path):
        fs.delete(path, True)
