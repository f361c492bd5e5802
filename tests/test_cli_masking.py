"""Every command line masks what it prints: with a private mapping that names a made-up
municipality ('Oppdiktby' and '9901' are invented), no error path of any `python -m scripts…`
module shows the name, on stdout, on stderr or in a traceback."""
import ast
import os
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT, copy_repo

NAME, NUMBER = "Oppdiktby", "9901"
MODULES = sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts)
    for p in (ROOT / "scripts").rglob("*.py") if 'if __name__ == "__main__":' in p.read_text(encoding="utf-8")
)


def entry_calls(module: str) -> bool:
    """Whether the module's ``__main__`` block runs ``main`` through ``scripts.cli.entry``."""
    tree = ast.parse((ROOT / (module.replace(".", "/") + ".py")).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test):
            return re.search(r"sys\.exit\((cli\.)?entry\(main\)\)", ast.unparse(node)) is not None
    return False


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    repo = copy_repo(tmp_path_factory.mktemp("repo"))
    (repo / "config" / "offices.private.yaml").write_text(
        f"offices:\n  A: '{NUMBER}'\nnames:\n  A: {NAME}\n", encoding="utf-8")
    # A målekort row that uses the private name as its office: the case that once leaked.
    f = repo / "data/raw/malekort/2014/malekort_2014.csv"
    lines = f.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = NAME + lines[1][lines[1].index(";"):]
    f.write_text("".join(lines), encoding="utf-8")
    return repo


def run(repo, module, *args):
    env = dict(os.environ, NAVRAPPORT_ROOT=str(repo), PYTHONPATH=str(repo))
    return subprocess.run([sys.executable, "-m", module, *args], cwd=repo, env=env, capture_output=True,
                          text=True, timeout=300)


def test_every_command_line_runs_through_the_one_entry_point():
    """The privacy guard runs the same masked runner directly: scripts.cli masks with the guard."""
    assert len(MODULES) >= 20
    assert [m for m in MODULES if not entry_calls(m)] == ["scripts.guard.privacy"]
    assert "run_masked(main, withhold_private" in (ROOT / "scripts/guard/privacy.py").read_text(encoding="utf-8")


def test_the_malekort_clean_step_does_not_print_an_office_named_after_the_private_municipality(repo):
    proc = run(repo, "scripts.data.malekort", "clean", "--year", "2014", "--offices", *"ABCDEF",
               "--out", str(repo / "build/m.csv"))
    assert proc.returncode == 1
    assert "holdt tilbake" in proc.stderr.lower() or "tilbakeholdt" in proc.stderr.lower()
    assert NAME not in proc.stdout + proc.stderr


@pytest.mark.parametrize("module", MODULES)
@pytest.mark.parametrize("args", [[NAME], ["--year", NAME], ["--out", f"/ingen/{NAME}/x.csv", NAME, NAME],
                                  ["clean", "--year", "2014", "--offices", NAME, "--out", f"/ingen/{NAME}.csv"]],
                         ids=["posisjon", "tall", "sti", "kontor"])
def test_no_error_path_of_any_command_line_shows_the_private_name(repo, module, args):
    proc = run(repo, module, *args)
    assert NAME not in proc.stdout + proc.stderr, (module, (proc.stdout + proc.stderr)[-2000:])
    assert NUMBER not in proc.stdout + proc.stderr, module


def test_an_unforeseen_error_is_a_norwegian_line_and_masked(repo, monkeypatch, capsys):
    from scripts import cli, paths

    monkeypatch.setattr(paths, "PRIVATE_OFFICES", repo / "config" / "offices.private.yaml")
    monkeypatch.setattr(sys, "argv", ["navrapport-steg"])

    def crash():
        raise KeyError(f"kontoret i {NAME}")

    assert cli.entry(crash) == 1
    err = capsys.readouterr().err
    assert NAME not in err and "uventet feil (KeyError" in err and "Traceback" in err
