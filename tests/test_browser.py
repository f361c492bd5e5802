"""Headless Chromium smoke test of the HTML: it renders, every TOC link lands, nothing is fetched."""
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--hide-scrollbars", "--disable-client-side-phishing-detection",
         "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,AutofillServerCommunication"]


def page_requests(netlog) -> list[str]:
    """URLs of the requests the page started (from Chromium's NetLog)."""
    log = json.loads(netlog.read_text(encoding="utf-8", errors="replace"))
    names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    return [e["params"]["url"] for e in log["events"]
            if names.get(e["type"]) == "URL_REQUEST_START_JOB" and "url" in e.get("params", {})
            and e["params"].get("initiator") != "not an origin"]


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_page_requests_sees_what_the_page_loads(tmp_path):
    """The NetLog reading can fail: a page with an external image is caught."""
    page = tmp_path / "p.html"
    page.write_text('<html><body><img src="https://example.invalid/x.png"></body></html>', encoding="utf-8")
    netlog = tmp_path / "n.json"
    chromium(tmp_path, f"--log-net-log={netlog}", "--virtual-time-budget=3000", "--dump-dom", page.as_uri())
    assert "https://example.invalid/x.png" in page_requests(netlog)


def chromium(tmp_path, *args):
    profile = tmp_path / "profile"
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_html_renders_toc_links_resolve_and_no_requests_leave(built_repo, tmp_path):
    page = built_repo / "build" / "report.html"
    netlog = tmp_path / "net.json"
    proc = chromium(tmp_path, f"--log-net-log={netlog}", "--virtual-time-budget=5000", "--dump-dom",
                    page.as_uri())
    dom = proc.stdout
    assert "<main" in dom and "Styring i NAV" in dom, proc.stderr[-2000:]
    ids = set(re.findall(r'id="([^"]+)"', dom))
    toc = re.search(r'<nav id="TOC".*?</nav>', dom, re.S).group(0)
    links = re.findall(r'href="#([^"]+)"', toc)
    assert links and [t for t in links if t not in ids] == []
    # Every request the page itself started is local. Chromium's own background traffic
    # (updates, clock) has the initiator "not an origin" and is not the page's doing.
    # (File loads are not network requests, so a clean page logs none; the test below shows
    # that an external resource would be caught.)
    assert [u for u in page_requests(netlog) if not u.startswith(("file:", "data:"))] == []

    shot = tmp_path / "shot.png"
    chromium(tmp_path, "--window-size=1366,1600", f"--screenshot={shot}", page.as_uri())
    assert shot.exists() and shot.stat().st_size > 20_000  # a blank page compresses to far less



A11Y = Path(__file__).parent / "a11y"


@pytest.mark.skipif(CHROMIUM is None or not (A11Y / "node_modules" / "axe-core").is_dir(),
                    reason="needs chromium and `npm install --prefix tests/a11y` (.ci/run does both)")
def test_html_passes_axe_and_reflows(built_repo):
    """WCAG 2.1 AA (axe-core) at laptop and phone width; the page never scrolls sideways."""
    assert_accessible(built_repo / "build" / "report.html")


def assert_accessible(page: Path) -> None:
    """axe-core finds no violation at any width the check uses, and the page never scrolls sideways."""
    proc = subprocess.run(["node", str(A11Y / "axe_check.js"), str(page)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    for width, violations in result["violations"].items():
        assert violations == [], f"{page.name}, axe at {width}px: {violations}"
    for width, scroll_width in result["reflow"].items():
        assert scroll_width <= int(width), f"{page.name}: horizontal scrolling at {width}px ({scroll_width}px wide)"


@pytest.mark.skipif(CHROMIUM is None or not (A11Y / "node_modules" / "axe-core").is_dir(),
                    reason="needs chromium and `npm install --prefix tests/a11y` (.ci/run does both)")
def test_axe_check_reports_a_bad_page(tmp_path):
    """The check can fail: no lang, an image without alt text, a table too wide for a phone."""
    page = tmp_path / "bad.html"
    page.write_text('<html><body><img src="data:image/png;base64,iVBORw0KGgo="><table><tr><td>'
                    + "x" * 400 + "</td></tr></table></body></html>", encoding="utf-8")
    proc = subprocess.run(["node", str(A11Y / "axe_check.js"), str(page)], capture_output=True, text=True, timeout=300)
    result = json.loads(proc.stdout)
    ids = {v["id"] for v in result["violations"]["1366"]}
    assert {"html-has-lang", "image-alt"} <= ids
    assert result["reflow"]["320"] > 320
