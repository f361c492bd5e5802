"""Error messages of other steps never print a private term: a value in the data that names a
municipality from the private mapping is quoted by validation messages, so each line of such a
message that names one is withheld before it reaches stderr, a log or a CI record.

The mapping ('Oppdiktby', '9901') and every value here are made up (oppdiktede testdata)."""
import os
import subprocess
import sys

import pytest

from scripts import cli, paths
from scripts.guard import privacy
from scripts.guard.privacy import Term
from tests.conftest import copy_repo, run_snakemake

TERMS = [Term("Oppdiktby", "A", "navn"), Term("9901", "A", "nummer")]
MAPPING = "offices:\n  A: '9901'\nnames:\n  A: Oppdiktby\n"


@pytest.mark.parametrize("line", ["verdien 'Oppdiktby' er ikke et tall", "kilde: Oppdiktbys kommune",
                                  "kommunenummer 9901", "OPPDIKT\u00adBY"])
def test_a_line_naming_a_private_term_is_withheld_in_any_disguise(line):
    message = f"data/raw/x.csv: to feil:\n{line}\nrad 4, kolonne 'verdi': forventet et tall"
    out = privacy.withhold_private(message, TERMS)
    assert out.splitlines() == ["data/raw/x.csv: to feil:", privacy.WITHHELD,
                                "rad 4, kolonne 'verdi': forventet et tall"]


def test_a_message_without_private_terms_or_without_a_mapping_is_unchanged():
    message = "rad 2, kolonne 'aar': forventet 2014, fikk 2013\ntelefon 22 33 44 55 i en kildenote"
    assert privacy.withhold_private(message, TERMS) == message  # contact details are the guard's job
    assert privacy.withhold_private("verdien 'Oppdiktby'", []) == "verdien 'Oppdiktby'"


def test_a_failing_step_prints_no_private_term(tmp_path, monkeypatch, capsys):
    mapping = tmp_path / "offices.private.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    monkeypatch.setattr(paths, "PRIVATE_OFFICES", mapping)
    monkeypatch.setattr(privacy.paths, "PRIVATE_OFFICES", mapping)

    def fails():
        raise ValueError("data/raw/kostra_kontor/2014.csv, rad 3, kolonne 'kilde': ukjent kilde 'Oppdiktby kommune'")

    assert cli.run_step("rens", fails, (ValueError,)) == 1
    err = capsys.readouterr().err
    assert "Oppdiktby" not in err and privacy.WITHHELD in err


@pytest.mark.e2e
def test_the_cleaning_step_prints_no_private_term_in_a_bad_value(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    (repo / "config" / "offices.private.yaml").write_text(MAPPING, encoding="utf-8")
    kostra = repo / "data" / "raw" / "kostra_kontor" / "2014.csv"
    lines = kostra.read_text(encoding="utf-8").splitlines()
    head = lines[0].split(",")
    row = lines[1].split(",")
    row[head.index("verdi")] = "Oppdiktby"  # a careless paste: a municipality name where a number belongs
    kostra.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n", encoding="utf-8")
    env = dict(os.environ, NAVRAPPORT_ROOT=str(repo), PYTHONPATH=str(repo))
    subprocess.run([sys.executable, "-m", "scripts.guard.manifest", "approve"], cwd=repo, env=env, check=True,
                   capture_output=True)  # the paste is approved unread: the cleaning step must still catch it
    proc = run_snakemake(repo)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and privacy.WITHHELD in out
    assert "oppdiktby" not in out.lower()


def test_a_broken_mapping_leaves_the_message_as_it_is_instead_of_failing_the_report(tmp_path, monkeypatch):
    """A mapping that cannot be read is the guard step's to report; the message of the step that
    failed for another reason is still printed whole, and printing it does not raise."""
    mapping = tmp_path / "offices.private.yaml"
    mapping.write_text("offices: [\n", encoding="utf-8")
    monkeypatch.setattr(privacy.paths, "PRIVATE_OFFICES", mapping)
    message = "rad 2, kolonne 'aar': forventet 2014, fikk 2013"
    assert privacy.withhold_private(message) == message
    mapping.write_text(MAPPING, encoding="utf-8")  # the same call reads a good mapping at call time
    assert privacy.withhold_private("kilde: Oppdiktby") == privacy.WITHHELD
