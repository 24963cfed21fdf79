"""The README's namespace upload lands the files where the flows look for them.

No Kestra server or kestractl runs here. `kestractl_destinations` restates the rule of kestractl's
`nsfiles upload NAMESPACE LOCAL DEST` as read in its source (kestra-io/kestractl, src/cli/nsfiles.go
at commit 03d5803): a file goes exactly to DEST, a folder's files go under DEST/<folder name>/. The
test runs the README's shell loop for real (with `kestractl` replaced by a recorder) on a dist/
built by the packaging code, and checks every namespace file the flows include is uploaded.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
import subprocess
from pathlib import Path

from kestra_commands import load_flows

from spark_jobs import packaging

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def upload_block() -> str:
    section = README.split("### 2. Upload the flows and the packaged job", 1)[1]
    return section.split("```bash", 1)[1].split("```", 1)[0]


def kestractl_destinations(local: Path, dest: str) -> list[str]:
    if local.is_dir():
        return [
            f"{dest}/{local.name}/{path.relative_to(local).as_posix()}"
            for path in local.rglob("*")
            if path.is_file()
        ]
    return [dest]


def test_the_readme_uploads_file_by_file_and_checks_the_result():
    block = upload_block()
    assert 'kestractl nsfiles upload clickstream "$file" "dist/$(basename "$file")" --override' in block
    assert "kestractl nsfiles list clickstream --path dist" in block
    assert not re.search(r"nsfiles upload \S+ \./dist\b", block)  # a folder would land in dist/dist/


def test_the_readme_loop_lands_every_namespace_file_the_flows_include(tmp_path):
    dist = tmp_path / "dist"
    packaging.build(dist, with_wheel=False)
    (dist / "spark_jobs-0.1.0-py3-none-any.whl").write_bytes(b"wheel")  # its name as make package writes it
    recorder = tmp_path / "bin" / "kestractl"
    recorder.parent.mkdir()
    recorder.write_text('#!/bin/sh\nprintf "%s\\n" "$*" >> "$KESTRACTL_LOG"\n')
    recorder.chmod(recorder.stat().st_mode | stat.S_IXUSR)
    log = tmp_path / "kestractl.log"
    loop = "\n".join(line for line in upload_block().splitlines() if not line.startswith("make "))
    env = dict(os.environ, PATH=f"{recorder.parent}:{os.environ['PATH']}", KESTRACTL_LOG=str(log))
    subprocess.run(["bash", "-c", loop], cwd=tmp_path, env=env, check=True)

    landed = []
    for line in log.read_text().splitlines():
        words = line.split()
        if words[:3] == ["nsfiles", "upload", "clickstream"]:
            landed += kestractl_destinations(tmp_path / words[3], words[4])
    assert sorted(landed) == [
        "dist/entrypoint.py",
        "dist/spark_jobs-0.1.0-py3-none-any.whl",
        "dist/spark_jobs.zip",
    ]
    for flow in load_flows().values():
        for task in flow.tasks():
            for pattern in (task.get("namespaceFiles") or {}).get("include", []):
                assert fnmatch.filter(landed, pattern), (
                    f"{flow.id}.{task['id']} includes {pattern}: not uploaded"
                )
