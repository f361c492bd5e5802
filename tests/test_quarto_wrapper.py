"""What real Quarto cannot show here: a Quarto that is missing or too old, and the engine choice
that depends on its version, with a stand-in `quarto` that records its arguments. The wrapper's
rendering is tested with real Quarto in tests/test_quarto.py."""
import os
import stat

import pytest

from scripts import paths
from scripts.engine import quarto

STAND_IN = """#!/usr/bin/env python3
import base64, json, os, sys, pathlib
args = sys.argv[1:]
log = pathlib.Path(os.environ["QUARTO_LOG"])
with log.open("a") as fh:
    fh.write(json.dumps(args) + "\\n")
if args == ["--version"]:
    print(os.environ.get("FAKE_QUARTO_VERSION", "1.11.0")); sys.exit(0)
if os.environ.get("FAKE_QUARTO_FAIL"):
    print("ERROR: An error occurred while executing report/04-analyse.qmd", file=sys.stderr); sys.exit(1)
out = pathlib.Path(args[args.index("--output-dir") + 1]) if "--output-dir" in args else pathlib.Path(os.environ["FAKE_OUT"])
out.mkdir(parents=True, exist_ok=True)
to = args[args.index("--to") + 1]
if to == "html":
    (out / "index.html").write_text("<html>bok</html>")
else:
    # A real (blank) PDF, so the privacy guard can read it as it reads Quarto's.
    (out / "report.pdf").write_bytes(base64.b64decode("JVBERi0xLjMKJeLjz9MKMSAwIG9iago8PAovUHJvZHVjZXIgKHB5cGRmKQo+PgplbmRvYmoKMiAwIG9iago8PAovVHlwZSAvUGFnZXMKL0NvdW50IDEKL0tpZHMgWyA0IDAgUiBdCj4+CmVuZG9iagozIDAgb2JqCjw8Ci9UeXBlIC9DYXRhbG9nCi9QYWdlcyAyIDAgUgo+PgplbmRvYmoKNCAwIG9iago8PAovVHlwZSAvUGFnZQovUmVzb3VyY2VzIDw8Cj4+Ci9NZWRpYUJveCBbIDAuMCAwLjAgNzIgNzIgXQovUGFyZW50IDIgMCBSCj4+CmVuZG9iagp4cmVmCjAgNQowMDAwMDAwMDAwIDY1NTM1IGYgCjAwMDAwMDAwMTUgMDAwMDAgbiAKMDAwMDAwMDA1NCAwMDAwMCBuIAowMDAwMDAwMTEzIDAwMDAwIG4gCjAwMDAwMDAxNjIgMDAwMDAgbiAKdHJhaWxlcgo8PAovU2l6ZSA1Ci9Sb290IDMgMCBSCi9JbmZvIDEgMCBSCj4+CnN0YXJ0eHJlZgoyNTQKJSVFT0YK"))
"""


def install_stand_in(tmp_path):
    """Put the stand-in `quarto` in tmp_path/bin; return (bin folder, call log path)."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    exe = bindir / "quarto"
    exe.write_text(STAND_IN)
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return bindir, tmp_path / "calls.jsonl"


@pytest.fixture
def fake_quarto(tmp_path, monkeypatch):
    bindir, log = install_stand_in(tmp_path)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("QUARTO_LOG", str(log))
    monkeypatch.setenv("FAKE_OUT", str(tmp_path / "build" / "quarto"))
    monkeypatch.setattr(paths, "BUILD", tmp_path / "build")
    monkeypatch.setattr(paths, "STAGING", tmp_path / "build" / "staging")
    monkeypatch.setattr(quarto, "OUT_DIR", tmp_path / "build" / "staging" / "quarto")
    return log


def test_too_old_quarto_is_refused(fake_quarto, monkeypatch):
    monkeypatch.setenv("FAKE_QUARTO_VERSION", "1.3.450")
    with pytest.raises(quarto.QuartoError, match=r"^quarto 1\.3\.450 er for gammel; rapporten trenger >= 1\.11\. "
                       r"Oppgrader Quarto eller bygg med --config engine=builtin\.$"):
        quarto.render(["html"])


def test_missing_binary(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(quarto.QuartoError, match=r"^fant ikke programmet «quarto» på PATH; forventet Quarto >= 1\.11\. "
                       r"Installer Quarto eller bygg med --config engine=builtin\.$"):
        quarto.check_quarto()


def test_auto_engine_picks_quarto_only_when_new_enough(fake_quarto, monkeypatch):
    from scripts.workflow import choose_engine

    assert choose_engine("auto") == "quarto"
    monkeypatch.setenv("FAKE_QUARTO_VERSION", "1.7.34")
    assert choose_engine("auto") == "builtin"
    assert choose_engine("builtin") == "builtin"


def test_quarto_project_is_a_valid_book():
    import yaml

    conf = yaml.safe_load((paths.REPORT / "_quarto.yml").read_text(encoding="utf-8"))
    assert conf["project"]["type"] == "book" and conf["lang"] == "nb"
    for f in conf["book"]["chapters"] + conf["book"]["appendices"]:
        assert (paths.REPORT / f).is_file(), f
    assert (paths.REPORT / conf["bibliography"]).is_file()
    assert conf["book"]["appendices"], "appendices come after the bibliography"


