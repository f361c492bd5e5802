"""config.yaml is validated by its schema; a wrong config stops before any work."""
import jsonschema
import pytest
import yaml

from scripts import paths


def schema():
    return yaml.safe_load(paths.CONFIG_SCHEMA.read_text(encoding="utf-8"))


def config():
    return yaml.safe_load(paths.CONFIG.read_text(encoding="utf-8"))


def test_shipped_config_is_valid():
    jsonschema.validate(config(), schema())


@pytest.mark.parametrize("change, message", [
    ({"unknown_key": 1}, "Additional properties"),
    ({"year": "2014"}, "is not of type 'integer'"),
    ({"year": 1999}, "less than the minimum"),
    ({"engine": "latex"}, "is not one of"),
    ({"formats": ["pdf", "odt"]}, "is not one of"),
    ({"offices": ["A", "Kontor B"]}, "does not match"),
])
def test_bad_config_is_rejected(change, message):
    with pytest.raises(jsonschema.ValidationError, match=message):
        jsonschema.validate({**config(), **change}, schema())


def test_bad_config_stops_snakemake_before_work(tmp_path):
    from tests.conftest import copy_repo, run_snakemake

    repo = copy_repo(tmp_path)
    proc = run_snakemake(repo, "-n", "--config", "engine=latex")
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    assert "engine: verdien 'latex' er ikke gyldig; forventet én av auto, builtin, quarto" in out
    assert not (repo / "build").exists()
    # The message alone: no Snakemake wrapping, no traceback.
    assert "WorkflowError" not in out and "Traceback" not in out and "Snakefile\", line" not in out


def test_a_misspelt_config_key_gets_the_nearest_key(tmp_path):
    from tests.conftest import copy_repo, run_snakemake

    repo = copy_repo(tmp_path)
    proc = run_snakemake(repo, "-n", "--config", "yaer=2015")
    assert proc.returncode != 0
    assert "ukjent nøkkel 'yaer'; mente du 'year'? tillatte nøkler: " in proc.stderr
    assert "WorkflowError" not in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("given, expected", [
    ({"fetch": "true"}, {"fetch": True}),
    ({"fetch": "false"}, {"fetch": False}),
    ({"fetch": "True"}, {"fetch": True}),
    ({"fetch": "nei"}, {"fetch": False}),
    ({"years": ["2014", "2015"], "year": "2015"}, {"years": [2014, 2015], "year": 2015}),
    ({"years": "2015"}, {"years": [2015]}),
    ({"fetch": "kanskje"}, {"fetch": "kanskje"}),
])
def test_command_line_strings_are_normalised_before_validation(given, expected):
    from scripts.workflow import normalise_config

    assert normalise_config(dict(given)) == expected


def test_normalised_fetch_flag_passes_the_schema_and_unknown_words_do_not():
    from scripts.workflow import config_problems, normalise_config

    ok = normalise_config({**config(), "fetch": "true"})
    assert config_problems(ok, paths.CONFIG_SCHEMA) == []
    bad = normalise_config({**config(), "fetch": "kanskje"})
    assert config_problems(bad, paths.CONFIG_SCHEMA) == [
        "fetch: verdien 'kanskje' er ikke gyldig; forventet true eller false"]


def test_documented_fetch_command_passes_config_validation(tmp_path):
    from tests.conftest import copy_repo, run_snakemake

    repo = copy_repo(tmp_path)
    proc = run_snakemake(repo, "-n", "fetch_kostra", "--config", "fetch=true")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "fetch_kostra" in proc.stdout
