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
    assert "latex" in out and "is not one of" in out
    assert not (repo / "build").exists()
