"""Every `python -m scripts…` command the documentation names exists and answers `--help`
(README.md, docs/ and the READMEs beside the data), so no page sends a user to a module that
is not there."""
import os
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "data").rglob("README.md"))]
COMMAND = re.compile(r"python -m (scripts(?:\.\w+)+)")


def documented() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for page in PAGES:
        for m in COMMAND.finditer(page.read_text(encoding="utf-8")):
            found.setdefault(m.group(1), []).append(str(page.relative_to(ROOT)))
    return found


def test_the_documentation_names_commands():
    assert {"scripts.guard.manifest", "scripts.data.malekort"} <= set(documented())


@pytest.mark.parametrize("module", sorted(documented()))
def test_each_documented_command_exists_and_answers_help(module):
    proc = subprocess.run([sys.executable, "-m", module, "--help"], cwd=ROOT, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=120)
    assert proc.returncode == 0, (module, documented()[module], proc.stderr[-1000:])
