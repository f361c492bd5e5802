"""Every command line in the README's Quick start, «Nyttige varianter» and «Oppdatere med nye
tall» runs as written, in a temporary copy, and does what the README says.

Commands that fetch go to a local stand-in for SSB (tests/fixtures/ssb_standin.py) through
``ssb_url``; commands for another year get the made-up 2015 inputs (oppdiktede testdata,
tests/fixtures/year2015_ulike), as the README says those variants need data we do not ship.
Four commands cannot run as written inside this suite, and each is checked as far as it can be:
``pip install -r requirements.lock`` (needs the network: the lock is resolved against the
installed environment with ``--dry-run --no-index``), ``python -m pytest``, ``make test`` and ``make test-slow``
(they are this suite: ``make -n`` shows the command each would run), and ``make mutation``
(minutes per package: ``make -n mutation`` shows the command).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, copy_repo

sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
from ssb_standin import MUNICIPALITIES, StandIn  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
SECTIONS = ("## Quick start", "Nyttige varianter:", "## Oppdatere med nye tall")
YEAR = "2015"


def readme_commands() -> list[str]:
    """Command lines of the three sections: lines of ```sh blocks (comments dropped) and inline
    code spans that start with a command, with ``<år>`` as written."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found: list[str] = []
    for head in SECTIONS:
        start = text.index(head)
        ends = [i for i in (text.find("\n## ", start + 3), text.find("\n## Slik", start)) if i > 0]
        part = text[start:min(ends)]
        if head == "## Quick start":
            part = part[:part.index("Nyttige varianter:")]
        if head == "Nyttige varianter:":
            part = part[:part.index("```", part.index("```sh") + 5) + 3]
        for block in re.findall(r"```sh\n(.*?)```", part, flags=re.S):
            for line in block.splitlines():
                cmd = re.sub(r"\s+#.*$", "", line).strip()
                if cmd and not cmd.startswith("#"):
                    found.append(cmd)
        for span in re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", part, flags=re.S)):
            if re.match(r"(snakemake|python|make) ", span):
                found.append(span)
    return list(dict.fromkeys(found))


# What each README command must do here. Keys are the commands exactly as the README writes them.
EXPECTED = {
    "make report": "build",
    "make test": "make-dry-run",
    "make test-slow": "make-dry-run",
    "make mutation": "make-dry-run",
    "python3 -m venv .venv && . .venv/bin/activate && pip install -r requirements.lock": "lock",
    "snakemake --cores 2": "build",
    "python -m pytest": "this-suite",
    "snakemake -n": "plan",
    "snakemake --cores 2 --config formats=[html,pdf,docx]": "docx",
    "snakemake --cores 2 --config engine=builtin": "build",
    "snakemake --cores 2 --config year=2015 years=[2014,2015]": "build-2015",
    "snakemake --cores 1 fetch_kostra --config fetch=true": "fetch",
    "snakemake --cores 1 fetch_kostra --config fetch=true year=<år> years=[2014,<år>]": "fetch",
    "snakemake --cores 2 --config year=<år> years=[2014,<år>]": "build-2015",
    "python -m scripts.guard.manifest approve": "approve",
}


def test_every_readme_command_is_known_to_this_test():
    assert readme_commands() == list(dict.fromkeys(readme_commands()))
    assert set(readme_commands()) == set(EXPECTED), "README commands changed: update EXPECTED"


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    """A copy with the project's environment as its .venv (bin only; nothing is installed) and a
    made-up private mapping, so the fetch also brings the offices' figures."""
    repo = copy_repo(tmp_path_factory.mktemp("readme"))
    venv = repo / ".venv"
    venv.mkdir()
    real = Path(sys.executable).parent.parent  # the project's environment, seen through links
    for name in ("bin", "lib", "lib64", "include", "pyvenv.cfg"):
        if (real / name).exists():
            (venv / name).symlink_to(real / name)
    (venv / ".installed").touch()  # newer than requirements.lock: `make` installs nothing
    mapping = "".join(f'  {k}: "{n}"\n' for n, k in MUNICIPALITIES.items())
    (repo / "config/offices.private.yaml").write_text("offices:\n" + mapping, encoding="utf-8")
    return repo


def run(repo: Path, cmd: str, ssb_url: str | None = None) -> subprocess.CompletedProcess:
    """Run one README line in bash, as a user would, with the environment's bin first on PATH."""
    env = dict(os.environ, NAVRAPPORT_ROOT=str(repo), PYTHONPATH=str(repo),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
               SOURCE_DATE_EPOCH="1430352000")
    line = cmd.replace("<år>", YEAR)
    if ssb_url:
        line += f" ssb_url={ssb_url}"
    return subprocess.run(["bash", "-c", line], cwd=repo, env=env, capture_output=True, text=True, timeout=900)


def ok(proc):
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]


def test_quick_start_and_variants_run_as_written(repo):
    report = repo / "build/report.html"
    ok(run(repo, "make report"))
    assert report.is_file() and (repo / "build/report.pdf").is_file()
    first = report.read_bytes()
    ok(run(repo, "snakemake --cores 2"))
    assert report.read_bytes() == first  # nothing changed, nothing rebuilt differently
    dry = run(repo, "make -n test")
    ok(dry)
    assert '.venv/bin/python -m pytest -q -p no:cacheprovider -m "not slow"' in dry.stdout
    slow = run(repo, "make -n test-slow")
    ok(slow)
    assert ".venv/bin/python -m pytest -q -p no:cacheprovider -m slow" in slow.stdout
    # The mutation run takes minutes per package (docs/testing.md): checked as the command it runs.
    mutation = run(repo, "make -n mutation")
    ok(mutation)
    assert "tests.mutation" in mutation.stdout
    # Offline: every pin is satisfied by the environment (the project's own `-e .` needs its build
    # backend from the index, so it is left out here; tests/test_quarto.py imports it from a kernel).
    ok(run(repo, ".venv/bin/python -m pip install --dry-run --no-index -q -r <(grep -v '^-e ' requirements.lock)"))
    plan = run(repo, "snakemake -n")
    ok(plan)
    assert "Nothing to be done" in plan.stdout + plan.stderr
    ok(run(repo, "snakemake --cores 2 --config formats=[html,pdf,docx]"))
    assert (repo / "build/report.docx").is_file()
    ok(run(repo, "snakemake --cores 2 --config engine=builtin"))
    assert report.is_file()


def test_yearly_update_runs_as_written(repo):
    # Without the year's målekort the build stops before any work and says what is missing.
    missing = run(repo, "snakemake --cores 2 --config year=<år> years=[2014,<år>]")
    assert missing.returncode != 0 and "Mangler for 2015:" in missing.stderr + missing.stdout
    (repo / "data/raw/malekort/2015").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "tests/fixtures/year2015_ulike/malekort_2015.csv", repo / "data/raw/malekort/2015/")
    with StandIn() as ssb:
        ok(run(repo, "snakemake --cores 1 fetch_kostra --config fetch=true", ssb.url))
        ok(run(repo, "snakemake --cores 1 fetch_kostra --config fetch=true year=<år> years=[2014,<år>]", ssb.url))
    assert list((repo / "data/raw/kostra/private").glob("*.meta.json"))
    ok(run(repo, "snakemake --cores 2 --config year=<år> years=[2014,<år>]"))
    res = json.loads((repo / "build/results/resultater.json").read_text(encoding="utf-8"))
    assert res["aar"] == 2015 and not (repo / "data/raw/kostra_kontor/2015.csv").exists()
    ok(run(repo, "snakemake --cores 2 --config year=2015 years=[2014,2015]"))
    ok(run(repo, "python -m scripts.guard.manifest approve"))
    manifest = json.loads((repo / "data/manifest.json").read_text(encoding="utf-8"))
    assert any(e["sti"] == "data/raw/malekort/2015/malekort_2015.csv" for e in manifest["filer"])
