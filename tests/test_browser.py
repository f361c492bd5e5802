"""Headless Chromium smoke test of the HTML: it renders, every TOC link lands, nothing is fetched."""
import re
import shutil
import subprocess

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--hide-scrollbars"]


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
    # Every URL Chromium touched while loading the page is local (file: or data:).
    urls = set(re.findall(r'"url":"([^"]+)"', netlog.read_text(encoding="utf-8", errors="replace")))
    external = sorted(u for u in urls if not u.startswith(("file:", "data:", "chrome:", "about:")))
    assert external == [], external

    shot = tmp_path / "shot.png"
    chromium(tmp_path, "--window-size=1366,1600", f"--screenshot={shot}", page.as_uri())
    assert shot.exists() and shot.stat().st_size > 20_000  # a blank page compresses to far less

