"""The warm Typst service: same PDF as a compile in the calling process, Typst's errors
passed on, and a compile in the caller when the service is gone.

Run in a separate Python (the service is forked from the process that starts it, and
forking pytest itself would copy its state)."""
import json
import subprocess
import sys

from tests.conftest import ROOT

SCRIPT = r"""
import json, os, signal, sys, time
from pathlib import Path
from scripts import typst_service as ts

tmp = Path(sys.argv[1])
src = tmp / "doc.typ"
out = {}
pid = ts.start(str(tmp / "typst.sock"), [], log=lambda m: print(m, file=sys.stderr))
out["started"] = pid is not None and ts.SOCKET == str(tmp / "typst.sock")

def both(text):
    src.write_text(text, encoding="utf-8")
    served = ts.compile_pdf(src, tmp, 1430352000, ["ua-1"])
    here = ts.compile_here({"input": str(src), "root": str(tmp), "timestamp": 1430352000,
                            "pdf_standards": ["ua-1"]})
    return served, here

a, a_here = both('#set document(title: "Prøve")\n#set text(lang: "nb")\n= Prøve\nKontor A: 52\n')
b, b_here = both('#set document(title: "Prøve")\n#set text(lang: "nb")\n= Prøve\nKontor A: 53\n')
out["same_as_here"] = a == a_here and b == b_here
out["change_seen"] = a != b and a.startswith(b"%PDF")
src.write_text('#let x = \n', encoding="utf-8")
try:
    ts.compile_pdf(src, tmp, 1430352000, ["ua-1"])
    out["error"] = None
except RuntimeError as exc:
    out["error"] = str(exc)
os.kill(pid, signal.SIGKILL)
os.waitpid(pid, 0)
c, c_here = both('#set document(title: "Prøve")\n#set text(lang: "nb")\n= Prøve\nKontor A: 52\n')
out["fallback_same"] = c == c_here == a
print(json.dumps(out))
"""


def test_service_gives_the_callers_bytes_and_errors(tmp_path):
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["started"] and out["same_as_here"] and out["change_seen"]
    assert out["error"] and "expected expression" in out["error"]
    assert out["fallback_same"]
    assert "compiling in this process" in proc.stderr  # the caller said why it compiled itself
    assert "doc.typ in" in proc.stderr  # the service logged its compiles


MEMORY_SCRIPT = r"""
import json, os, sys, time
from pathlib import Path
from scripts import typst_service as ts

tmp = Path(sys.argv[1])
src = tmp / "doc.typ"
src.write_text("Prøve", encoding="utf-8")
ts.MAX_RSS = 1  # every compile passes it
pid = ts.start(str(tmp / "typst.sock"), [], log=lambda m: print(m, file=sys.stderr))
first = ts.compile_pdf(src, tmp, 0, [])
os.waitpid(pid, 0)  # the service has answered and exits
gone = not (tmp / "typst.sock").exists()
second = ts.compile_pdf(src, tmp, 0, [])
print(json.dumps({"gone": gone, "same": first == second}))
"""


def test_service_exits_past_its_memory_limit_and_steps_compile_themselves(tmp_path):
    proc = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, str(tmp_path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"gone": True, "same": True}
    assert "memory limit reached" in proc.stderr and "compiling in this process" in proc.stderr
