"""The layout shows the flow, and imports point one way (read from the code, not assumed).

Stages: data -> analysis -> content -> engine; guard stands apart. The rules:
engine and guard know nothing of the data; content reads results, not raw data; the offline
build never imports the network client; the Quarto wrapper does not import the built-in
renderer; no import cycles; no module of the removed step machinery comes back.
"""
import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

SCRIPTS = ROOT / "scripts"
STAGES = {"data", "analysis", "content", "engine", "guard"}
SHARED = {"scripts.paths", "scripts.atomic", "scripts.cli", "scripts.masking", "scripts.settings", "scripts.workflow"}


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Project modules ``path`` imports, anywhere in the file (lazy imports included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("scripts")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("scripts"):
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                found.add(sub if (SCRIPTS.parent / (sub.replace(".", "/") + ".py")).exists() else node.module)
    return found


GRAPH = {module_name(p): imports_of(p) for p in SCRIPTS.rglob("*.py")}


def reachable(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        todo += [n for n in GRAPH.get(m, ()) if n in GRAPH]
    return seen


def stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in STAGES else None


def test_every_module_lives_in_a_stage_or_is_shared():
    loose = {m for m in GRAPH if stage(m) is None and m not in SHARED and m != "scripts"
             and not (m.startswith("scripts.") and m.split(".")[1] in STAGES)}
    assert loose == set()


def test_the_removed_machinery_stays_removed():
    names = {p.stem for p in SCRIPTS.rglob("*.py")}
    assert not names & {"step", "worker", "forking", "kernel", "typst_service"}
    text = "\n".join(p.read_text(encoding="utf-8") for p in [*SCRIPTS.rglob("*.py"), *ROOT.glob("rules/*.smk"),
                                                             ROOT / "Snakefile"])
    for private in ("job_rate_limiter", "_update_raw", "atexit._clear", "_set_running_loop", "gc.freeze", "/proc"):
        assert private not in text, private


def test_no_import_cycles():
    state = {}

    def visit(m, trail):
        if state.get(m) == "done":
            return
        if state.get(m) == "open":
            pytest.fail("import cycle: " + " -> ".join(trail + [m]))
        state[m] = "open"
        for n in GRAPH.get(m, ()):
            if n in GRAPH:
                visit(n, trail + [m])
        state[m] = "done"

    for m in GRAPH:
        visit(m, [])


@pytest.mark.parametrize("package", ["engine", "guard"])
def test_engine_and_guard_know_nothing_of_the_data(package):
    for m in GRAPH:
        if stage(m) == package:
            bad = {n for n in GRAPH[m] if stage(n) in {"data", "analysis", "content"}}
            assert not bad, f"{m} imports {bad}"


def test_content_reads_results_not_raw_data():
    for m in GRAPH:
        if stage(m) == "content":
            assert not {n for n in GRAPH[m] if stage(n) == "data"}, m


def test_offline_build_never_reaches_the_network_client():
    """Every module a build rule runs (all but fetch) and everything it imports."""
    rules = "\n".join(p.read_text(encoding="utf-8") for p in ROOT.glob("rules/*.smk") if p.name != "fetch.smk")
    import re

    entry = set(re.findall(r"python -m (scripts[\w.]+)", rules))
    assert {"scripts.engine.execute", "scripts.engine.render", "scripts.guard.privacy"} <= entry
    for e in entry | {"scripts.workflow", "scripts.content.reportkit"}:
        assert "scripts.data.kostra_client" not in reachable(e), e


def test_quarto_wrapper_does_not_import_the_builtin_renderer():
    assert not reachable("scripts.engine.quarto") & {"scripts.engine.render", "scripts.engine.execute",
                                                     "scripts.engine.numbering"}


def test_offline_modules_do_not_import_requests():
    """Checked at run time as well: importing the build's modules loads no HTTP library."""
    import subprocess
    import sys

    code = ("import sys; import scripts.analysis.compare, scripts.guard.privacy, scripts.engine.render, "
            "scripts.workflow; print(sorted(m for m in ('requests', 'urllib3', 'scripts.data.kostra_client') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_workflows_import_scan_finds_every_import_ast_finds():
    """The rules' code inputs come from scripts.workflow.project_imports (a fast scan); a missed
    import would leave a rule's inputs stale, so it is checked against the real parse."""
    from scripts import workflow as wf

    for m, deps in GRAPH.items():
        expected = {d for d in deps if wf.module_file(d).is_file() and d != m}
        assert expected <= set(wf.project_imports(m)), m
