"""Privacy guard benchmark (not a test): one large Quarto-style HTML page with planted secrets.

    python benchmarks/bench_guard.py                      # 400 MiB, 36 secrets
    python benchmarks/bench_guard.py --size-mb 50 --secrets 12 --json out.json

In a temporary folder (deleted afterwards) it writes

- a made-up private mapping, ``config/offices.private.yaml``: six offices with made-up
  municipality names ("Fjellvik", "Solbøen" …) and numbers (99xx, not municipalities);
- ``report.html`` of the chosen size that looks like a page of Quarto's website: head with
  CSS and a script, sections with headings, paragraphs, tables, figures as large base64
  ``data:`` URIs (PNG with random image data, SVG as matplotlib writes it, with its labels in
  comments), and the secrets, each in its own section, in turn: a name as written, a name split
  by inline tags, a name with an entity, a name in the comment of a base64 SVG figure, a name
  in a PNG text chunk, a municipality number, a phone number, an e-mail address. Phone numbers
  are 99 99 99 xx and addresses are at example.no: made up, never a real one.

Then it runs the guard as the build does, ``python -m scripts.guard.privacy report.html
--stamp …`` in a new process with ``NAVRAPPORT_ROOT`` pointing at the temporary folder (where
the guard looks for the private mapping), and measures

- wall time, CPU time (user + system) and peak memory (largest resident set) of the guard
  process, as GNU ``/usr/bin/time`` reports them;
- the secrets found: the guard prints one masked line per distinct secret, with the first
  place and how many other places ("og N andre steder"); each secret stands in a section of its
  own, so the places of each kind and office add up to the number planted of it. A finding in a
  section without a secret is a false alarm and is reported.

Targets (the issue): under 60 s and under 500 MB for 400 MB, every planted secret found.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import random
import re
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MB = 1 << 20
TIME = "/usr/bin/time"  # GNU time (Debian: apt-get install time)

# Made up: no municipality has these names or numbers.
OFFICES = {"A": ("9971", "Fjellvik"), "B": ("9972", "Solbøen"), "C": ("9973", "Kvernstad"),
           "D": ("9974", "Nordre Lyngdal"), "E": ("9975", "Brattheim"), "F": ("9976", "Ospenes")}
WORDS = ("kontoret brukerne veileder oppfølging arbeid ytelse målekort resultat andel tiltak "
         "kommunen tjenesten samarbeid ledelsen styring indikator periode rapport vurdering "
         "innsats mål utvikling kvalitet ressurser økonomi sosialhjelp tabellen viser at det er "
         "i og på for med som til av en et de den har ble blir kan skal").split()
DISGUISES = ("navn", "navn i tagger", "navn med entitet", "navn i SVG-figur", "navn i PNG-tekst",
             "kommunenummer", "telefon", "e-post")


def png(width: int, text: str = "", seed: int = 0) -> bytes:
    """A PNG of about ``width`` bytes of random image data, with a text chunk when ``text`` is given."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    data = random.Random(seed).randbytes(width)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1000, 1000, 8, 2, 0, 0, 0))
    if text:
        out += chunk(b"tEXt", b"Title\0" + text.encode("latin-1"))
    return out + chunk(b"IDAT", data) + chunk(b"tEXt", b"Software\0matplotlib") + chunk(b"IEND", b"")


def svg(paths: int, label: str = "figur", seed: int = 0) -> str:
    """An SVG figure as matplotlib writes one: many paths, each label in a comment."""
    rnd = random.Random(seed)
    parts = ['<?xml version="1.0" encoding="utf-8" standalone="no"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
             'width="460pt" height="345pt" viewBox="0 0 460 345">\n <g id="figure_1">\n']
    for i in range(paths):
        pts = " L ".join(f"{rnd.uniform(0, 460):.3f} {rnd.uniform(0, 345):.3f}" for _ in range(6))
        parts.append(f'  <g id="line2d_{i}">\n   <path d="M {pts} z" clip-path="url(#p1)" '
                     f'style="fill: none; stroke: #1f77b4; stroke-width: 1.5"/>\n  </g>\n')
        if i % 50 == 0:
            parts.append(f"  <g id=\"text_{i}\">\n   <!-- {rnd.choice(WORDS)} {2013 + i % 2} -->\n  </g>\n")
    parts.append(f"  <g id=\"text_label\">\n   <!-- {label} -->\n  </g>\n </g>\n</svg>\n")
    return "".join(parts)


def paragraph(rnd: random.Random) -> str:
    words = [rnd.choice(WORDS) for _ in range(rnd.randint(40, 90))]
    words[rnd.randrange(len(words))] = f"<strong>{rnd.choice(WORDS)}</strong>"
    return "<p>" + " ".join(words).capitalize() + f" ({rnd.randint(2013, 2014)}).</p>\n"


def table(rnd: random.Random, rows: int) -> str:
    head = "<tr><th>Kontor</th><th>2013</th><th>2014</th><th>Endring</th></tr>"
    body = "".join(f"<tr><td>Kontor {rnd.choice('ABCDEF')}</td><td>{rnd.randint(10, 99)},{rnd.randint(0, 9)}</td>"
                   f"<td>{rnd.randint(10, 99)},{rnd.randint(0, 9)}</td><td>{rnd.randint(-9, 9)},{rnd.randint(0, 9)}"
                   "</td></tr>\n" for _ in range(rows))
    return f'<div class="cell-output-display">\n<table class="table table-sm">\n<thead>{head}</thead>\n<tbody>\n{body}</tbody>\n</table>\n</div>\n'


def secret(i: int) -> tuple[str, str, str]:
    """The i-th planted secret: (markup, kind, office letter) with kind as the guard names it."""
    letter = "ABCDEF"[i % 6]
    number, name = OFFICES[letter]
    how = DISGUISES[i % len(DISGUISES)]
    mid = len(name) // 2
    if how == "navn":
        return f"<p>Kontor {letter} ligger i {name}, ved fjorden.</p>\n", "navn", letter
    if how == "navn i tagger":
        return f"<p>Kontoret i {name[:mid]}<strong>{name[mid:]}</strong> har mange brukere.</p>\n", "navn", letter
    if how == "navn med entitet":
        return f"<p>Kontoret i {name[:mid]}&#{ord(name[mid])};{name[mid + 1:]} er lite.</p>\n", "navn", letter
    if how == "navn i SVG-figur":
        b64 = base64.b64encode(svg(20_000, f"{name}modellen", seed=i).encode()).decode()
        return f'<figure><img src="data:image/svg+xml;base64,{b64}" alt="Figur"></figure>\n', "navn", letter
    if how == "navn i PNG-tekst":
        b64 = base64.b64encode(png(6 * MB, f"Kart over {name}", seed=i)).decode()
        return f'<figure><img src="data:image/png;base64,{b64}" alt="Kart"></figure>\n', "navn", letter
    if how == "kommunenummer":
        return f"<p>Tallene gjelder kommune {number} i {2013 + i % 2}.</p>\n", "nummer", letter
    if how == "telefon":
        return f"<p>Ring oss på 99 99 99 {10 + i:02d} for spørsmål.</p>\n", "telefon", ""
    return f'<p>Skriv til <a href="#">kontor.{i}@example.no</a>.</p>\n', "e-post", ""


HEAD = """<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="nb" xml:lang="nb"><head>
<meta charset="utf-8">
<meta name="generator" content="quarto-1.6.40">
<title>Målekort og styring – benchmark</title>
<style>
code{white-space: pre-wrap;} span.smallcaps{font-variant: small-caps;}
@media print { .quarto-title-block { display: none; } }
</style>
<script>window.document.addEventListener("DOMContentLoaded", function (event) { const x = 1; });</script>
</head>
<body class="fullcontent">
<main class="content" id="quarto-document-content">
<header id="title-block-header" class="quarto-title-block default"><h1 class="title">Målekort og styring</h1></header>
"""


SHARE = {"png": 0.35, "svg": 0.25}  # of the page; the rest is text, tables and markup


def write_page(path: Path, size: int, secrets: int, seed: int = 1) -> Counter:
    """Write the page (about ``size`` characters: figures about 35 % PNG and 25 % SVG, the rest
    sections of text and tables, the secrets spread evenly); return the number of secrets planted
    by (kind, office letter)."""
    rnd = random.Random(seed)
    planted: Counter = Counter()
    # Shared figures, written again and again (as a long report repeats its kinds of figures).
    figure = {"png": base64.b64encode(png(6 * MB, seed=seed)).decode(),
              "svg": base64.b64encode(svg(20_000, seed=seed).encode()).decode()}
    marked = [secret(i) for i in range(secrets)]
    spacing = size // (secrets + 1)  # the k-th secret at about k × spacing
    written = {"png": 0, "svg": 0, "other": 0}
    section, next_secret, done = 0, spacing, 0
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(HEAD)
        while sum(written.values()) < size or done < secrets:
            section += 1
            total = sum(written.values())
            if done < secrets and total >= next_secret:
                markup, kind, letter = marked[done]
                block = f'<section id="sec-hemmelig-{done}" class="level2">\n<h2>Merknad {done}</h2>\n{markup}</section>\n'
                planted[(kind, letter)] += 1
                done += 1
                next_secret = (done + 1) * spacing
                written["other"] += len(block)
            else:
                parts = [f'<section id="sec-{section:07d}" class="level2">\n<h2 class="anchored">Del {section:07d}</h2>\n']
                parts += [paragraph(rnd) for _ in range(rnd.randint(5, 20))]
                parts.append(table(rnd, rnd.randint(10, 60)))
                written["other"] += sum(map(len, parts))
                for kind, share in SHARE.items():
                    if written[kind] < share * total:
                        mime = "image/png" if kind == "png" else "image/svg+xml"
                        parts.append(f'<figure><img src="data:{mime};base64,{figure[kind]}" alt="Figur {section:07d}"></figure>\n')
                        written[kind] += len(parts[-1])
                parts.append("</section>\n")
                block = "".join(parts)
            f.write(block)
        f.write("</main>\n</body>\n</html>\n")
    return planted


FINDING = re.compile(r"^  .*?, (?P<where>.*): inneholder (?P<what>.*?) «••••» \(maskert\)$")
OTHERS = re.compile(r" \(og (\d+) andre steder i filen\)$")


def parse(stderr: str) -> tuple[Counter, list[str]]:
    """Places found by (kind, office letter), and the findings outside a planted section."""
    found: Counter = Counter()
    stray = []
    for line in stderr.splitlines():
        m = FINDING.match(line)
        if not m:
            continue
        what, where = m.group("what"), m.group("where")
        more = OTHERS.search(where)
        letter = re.search(r"kontor (\w)", what)
        kind = ("navn" if "kommunenavn" in what else "nummer" if "kommunenummer" in what
                else "telefon" if "telefon" in what else "e-post")
        found[(kind, letter.group(1) if letter else "")] += 1 + (int(more.group(1)) if more else 0)
        if "sec-hemmelig-" not in where:
            stray.append(line.strip())
    return found, stray


def run_guard(root: Path, page: Path) -> dict:
    """Run the guard in a new process under GNU time: its wall time, CPU time, peak memory and messages.

    GNU time, not this process's ``getrusage(RUSAGE_CHILDREN)``: Python starts a child with vfork,
    and Linux then counts the parent's own peak (this generator's, with its figures in memory) as
    the child's. GNU time is small and reports its own child's peak alone."""
    env = dict(os.environ, NAVRAPPORT_ROOT=str(root), PYTHONPATH=str(ROOT))
    times = root / "time.txt"
    load = os.getloadavg()[0]
    cmd = [sys.executable, "-m", "scripts.guard.privacy", str(page), "--stamp", str(root / "guard.json")]
    proc = subprocess.run([TIME, "-f", "%e %U %S %M", "-o", str(times), *cmd], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    wall, user, system, peak_kb = times.read_text().split()[-4:]
    return {"wall_s": float(wall), "cpu_s": float(user) + float(system), "peak_rss_mb": int(peak_kb) / 1024,
            "returncode": proc.returncode, "stderr": proc.stderr, "load_before": load,
            "load_after": os.getloadavg()[0]}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python benchmarks/bench_guard.py")
    p.add_argument("--size-mb", type=float, default=400, help="size of the page in MiB (2**20 bytes)")
    p.add_argument("--secrets", type=int, default=36, help="secrets to plant, in the eight disguises in turn")
    p.add_argument("--json", type=Path, help="write the measurements here too")
    a = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench_guard_") as tmp:
        root = Path(tmp)
        (root / "config").mkdir()
        mapping = "offices:\n" + "".join(f'  {k}: "{n}"\n' for k, (n, _) in OFFICES.items())
        mapping += "names:\n" + "".join(f'  {k}: "{name}"\n' for k, (_, name) in OFFICES.items())
        (root / "config" / "offices.private.yaml").write_text(mapping, encoding="utf-8")
        page = root / "report.html"
        t0 = time.perf_counter()
        planted = write_page(page, int(a.size_mb * MB), a.secrets)
        made = time.perf_counter() - t0
        size = page.stat().st_size
        r = run_guard(root, page)
    found, stray = parse(r["stderr"])
    n_planted = sum(planted.values())
    n_found = sum(min(found[k], n) for k, n in planted.items())
    missing = {f"{k}/{letter}": n - found[(k, letter)] for (k, letter), n in planted.items() if found[(k, letter)] < n}
    ok_time, ok_mem = r["wall_s"] < 60, r["peak_rss_mb"] < 500
    print(f"generated {size / MB:.0f} MiB ({size:,} bytes) in {made:.1f} s; guard exit code {r['returncode']} (1 = stopped, as it should)")
    print(f"load average (1 min) before/after the guard: {r['load_before']:.2f} / {r['load_after']:.2f}")
    print()
    print("| size (MiB) | wall | CPU | peak RSS (MiB) | secrets found / planted | < 60 s | < 500 MB |")
    print("|---:|---:|---:|---:|---:|:---:|:---:|")
    print(f"| {size / MB:.0f} | {r['wall_s']:.1f} s | {r['cpu_s']:.1f} s | {r['peak_rss_mb']:.0f} "
          f"| {n_found} / {n_planted} | {'ja' if ok_time else 'nei'} | {'ja' if ok_mem else 'nei'} |")
    if missing:
        print(f"missing: {missing}")
    if stray:
        print(f"findings outside the planted sections ({len(stray)}):", *stray[:10], sep="\n  ")
    if a.json:
        a.json.write_text(json.dumps({"size_mb": size / MB, "planted": n_planted, "found": n_found, "stray": len(stray),
                                      **{k: v for k, v in r.items() if k != "stderr"}}, indent=1) + "\n")
    return 0 if (n_found == n_planted and not stray and r["returncode"] == 1) else 1


if __name__ == "__main__":
    sys.exit(main())
