"""terraform/*.tf parsed with python-hcl2 (strings unquoted), for the tests that check consistency."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import hcl2

TERRAFORM_DIR = Path(__file__).resolve().parent.parent / "terraform"
OPTIONS = hcl2.SerializationOptions(strip_string_quotes=True, with_comments=False, explicit_blocks=False)


@cache
def parsed(file_name: str) -> dict:
    with open(TERRAFORM_DIR / file_name) as handle:
        return hcl2.load(handle, serialization_options=OPTIONS)


def blocks(kind: str) -> dict[str, dict]:
    """`variable`, `output`, ... blocks of every .tf file, by name."""
    found: dict[str, dict] = {}
    for path in sorted(TERRAFORM_DIR.glob("*.tf")):
        for block in parsed(path.name).get(kind, []):
            found.update(block)
    return found


def resources() -> dict[tuple[str, str], dict]:
    """Every resource by (type, name)."""
    found = {}
    for path in sorted(TERRAFORM_DIR.glob("*.tf")):
        for block in parsed(path.name).get("resource", []):
            for kind, named in block.items():
                for name, body in named.items():
                    found[(kind, name)] = body
    return found


def output_names() -> list[str]:
    return list(blocks("output"))
