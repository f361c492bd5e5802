"""The privacy guard reads a file of any size as a stream: in linear time, in bounded memory, and
finding every planted secret wherever the chunks and windows are cut (scripts/guard/extract.py,
«Personvernvakten» in docs/personvern.md). Every name, number and address here is made up: "Fjellvik",
"Solbøen" and 99xx are no municipality, and 99 99 99 xx and example.no reach no one."""
import base64
import inspect
import json
import os
import re
import struct
import subprocess
import sys
import zlib
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scripts.guard import extract, privacy
from scripts.guard.privacy import Term
from tests.conftest import ROOT

TERMS = [Term("Fjellvik", "A", "navn"), Term("9971", "A", "nummer"), Term("Solbøen", "B", "navn"),
         Term("Nordre Lyngdal", "C", "navn")]
MB = 1 << 20
FILLER = ("<p>Kontoret følger opp brukerne, og <strong>målekortet</strong> viser andelen i arbeid "
          "etter tiltak i 2013 og 2014.</p>\n<table><tr><td>Kontor D</td><td>52,1</td><td>48,0</td></tr></table>\n")


def png(data_size: int, text: str) -> bytes:
    """A PNG with ``data_size`` bytes of image data and then a text chunk."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", b"\0" * 13) + chunk(b"IDAT", os.urandom(data_size))
            + chunk(b"tEXt", b"Title\0" + text.encode("latin-1")) + chunk(b"IEND", b""))


def svg(paths: int, label: str) -> str:
    """An SVG as matplotlib writes one, its label in a comment after ``paths`` paths."""
    body = "".join(f'<path d="M {i % 97} {i % 89} L 12.5 {i % 7}.25 z" style="fill: none"/>\n' for i in range(paths))
    return f'<svg xmlns="http://www.w3.org/2000/svg"><g>\n{body}<!-- {label} -->\n</g></svg>'


def section(n: int, content: str) -> str:
    return f'<section id="sec-hemmelig-{n}" class="level2">\n<h2>Merknad</h2>\n{content}</section>\n'


def places(findings) -> Counter:
    """Places found per (kind, office letter): the first place and the others counted."""
    out: Counter = Counter()
    for f in findings:
        more = re.search(r"\(og (\d+) andre steder i filen\)", f.where)
        out[(f.kind, f.letter)] += 1 + (int(more.group(1)) if more else 0)
    return out


def large_page(path, size: int) -> Counter:
    """About ``size`` characters of a Quarto-style page with a secret straddling every multiple of
    the default read chunk (characters, as the file is read) and so of the raw window, one in a
    multi-MB base64 SVG and one in the text chunk of a multi-MB base64 PNG; what was planted."""
    chunk, planted, n = extract.Sizes().chunk, Counter(), 0
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        written = f.write("<!DOCTYPE html>\n<html><body><main>\n")
        b64 = base64.b64encode(svg(60_000, "Fjellvikmodellen").encode()).decode()
        written += f.write(section(n, f'<img src="data:image/svg+xml;base64,{b64}" alt="Figur">\n'))
        b64 = base64.b64encode(png(3 * MB, "Kart over Solbøen")).decode()
        written += f.write(section(n + 1, f'<img src="data:image/png;base64,{b64}" alt="Kart">\n'))
        planted.update([("navn", "A"), ("navn", "B")])
        n += 2
        boundary = chunk
        while boundary < size:
            block = FILLER * ((boundary - written - 200) // len(FILLER))
            written += f.write(block)
            head = f'<section id="sec-hemmelig-{n}" class="level2">\n<p>Kontoret i '
            pad = boundary - written - len(head) - 4  # the name starts 4 characters before the boundary
            written += f.write(" " * max(pad, 0) + head)
            kind = n % 4
            secret = ("Fjellvik", "Nordre\nLyng<em>dal</em>", "kommune 9971", "99 99 99 42")[kind]
            written += f.write(f"{secret} har mange brukere.</p>\n</section>\n")
            planted[[("navn", "A"), ("navn", "C"), ("nummer", "A"), ("telefon", "")][kind]] += 1
            n += 1
            boundary += chunk
        f.write("</main></body></html>\n")
    return planted


def test_every_secret_planted_in_a_large_file_is_found(tmp_path):
    page = tmp_path / "report.html"
    planted = large_page(page, 24 * MB)
    assert page.stat().st_size > 23 * MB
    found = privacy.scan_file(page, TERMS, [])
    assert places(found) == planted
    assert all("sec-hemmelig-" in f.where for f in found)
    data_uri = [f for f in found if f.kind == "navn" and f.letter == "B"]
    assert data_uri[0].where.startswith("avsnitt sec-hemmelig-1, linje ")  # the line of the data: URI


def test_the_readers_of_text_files_are_generators(tmp_path):
    page = tmp_path / "report.html"
    page.write_text("<p>tekst</p>", encoding="utf-8")
    assert inspect.isgenerator(extract.stream(page))
    assert inspect.isgenerator(extract.stream(tmp_path / "mangler.md"))  # opened only when read


PEAK = """import sys
from scripts.guard import privacy
code = privacy.main(sys.argv[1:])
peak = [line for line in open("/proc/self/status") if line.startswith("VmHWM:")][0].split()[1]
print("peak", peak, "code", code)
"""


def guard_peak_kb(tmp_path, page) -> int:
    """The guard's own peak resident memory (VmHWM of its process, not of the test process)."""
    mapping = tmp_path / "root" / "config" / "offices.private.yaml"
    mapping.parent.mkdir(parents=True, exist_ok=True)
    mapping.write_text("offices:\n  A: '9971'\nnames:\n  A: Fjellvik\n  B: Solbøen\n  C: Nordre Lyngdal\n",
                       encoding="utf-8")
    env = dict(os.environ, NAVRAPPORT_ROOT=str(mapping.parent.parent), PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", PEAK, str(page)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    m = re.search(r"peak (\d+) code 1", proc.stdout)
    assert m, proc.stdout + proc.stderr[-2000:]
    assert "Fjellvik" not in proc.stderr and "fjellvik" not in proc.stderr
    return int(m.group(1))


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads VmHWM from /proc (Linux)")
def test_memory_stays_bounded_whatever_the_size_of_the_file(tmp_path):
    """A file 16 times larger costs no more memory (within 16 MB): the guard streams."""
    small, large = tmp_path / "small.html", tmp_path / "large.html"
    large_page(small, 2 * MB)
    large_page(large, 32 * MB)
    small_kb, large_kb = guard_peak_kb(tmp_path, small), guard_peak_kb(tmp_path, large)
    assert large_kb - small_kb < 16 * 1024, (small_kb, large_kb)
    assert large_kb < 100 * 1024  # Python and the guard's code included; the file is 32 MB


# --- chunk and window boundaries do not matter ---------------------------------------------

DISGUISED = ["Fjellvik", "Fjell<strong>vik</strong>", "Fjell&#118;ik", "F j e l l v i k", "Fjell-\nvik",
             "Nordre Lyngdal", "Nordre\n<em>Lyng</em>dal", "Solbøens", "SOLB&Oslash;EN", "kommune 9971",
             "99 99 99 42", "+47 99999942", "ola (at) example.no", "kari@example.no"]


def page(picks, pad: int, uri_at: int) -> str:
    """A page with the picked secrets among paragraphs, one of them also in a base64 SVG."""
    out = ["<html><body>\n"]
    for i, (which, words) in enumerate(picks):
        out.append(f"<section id='s{i}'>\n<h2>Del {i}</h2>\n")
        out += [FILLER] * (words % 3)
        out.append(f"<p>{'ord ' * (pad + words)}{DISGUISED[which]} {'tekst ' * words}</p>\n")
        if i == uri_at % len(picks):
            b64 = base64.b64encode(svg(words * 5, DISGUISED[which]).encode()).decode()
            out.append(f"<img src='data:image/svg+xml;base64,{b64}'>\n")
        out.append("</section>\n")
    return "".join(out) + "</body></html>\n"


SIZES = st.builds(
    lambda chunk, overlap, window, raw: extract.Sizes(chunk=chunk, window=max(window, 2 * overlap), raw=raw,
                                                     overlap=overlap, token=1 << 20, json_whole=0),
    st.integers(50, 3000), st.integers(128, 600), st.integers(64, 4000), st.integers(256, 8000))
WHOLE = extract.Sizes(chunk=1 << 24, window=1 << 24, raw=1 << 24, overlap=1 << 12)


def located(found):
    """Each finding's kind, office and place: a line exactly; a range (a leak over several lines, which
    no line holds alone) by its section only, as its extent is that of the window it was seen in."""
    places = [f.where.split(" (og")[0] for f in found]
    ranged = [(w.split(" (")[0] if w.startswith("avsnitt") else "flere linjer") if "–" in w else w for w in places]
    return sorted((f.kind, f.letter, w) for f, w in zip(found, ranged, strict=True))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.tuples(st.integers(0, len(DISGUISED) - 1), st.integers(0, 60)), min_size=1, max_size=4),
       pad=st.integers(0, 300), uri_at=st.integers(0, 3), sizes=SIZES)
def test_where_the_chunks_and_windows_are_cut_does_not_change_what_is_found(tmp_path, picks, pad, uri_at, sizes):
    f = tmp_path / "side.html"
    f.write_text(page(picks, pad, uri_at), encoding="utf-8")
    whole = privacy.scan_file(f, TERMS, [], sizes=WHOLE)
    assert whole  # every disguise is a finding
    assert located(privacy.scan_file(f, TERMS, [], sizes=sizes)) == located(whole)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.tuples(st.integers(0, len(DISGUISED) - 1), st.integers(0, 60)), min_size=1, max_size=4),
       sizes=SIZES)
def test_chunk_boundaries_do_not_matter_in_markdown_and_json(tmp_path, picks, sizes):
    text = "".join(f"# Del {i}\n\n{'ord ' * words}\n{DISGUISED[which]} er nevnt.\n\n" for i, (which, words) in enumerate(picks))
    md = tmp_path / "kapittel.md"
    md.write_text(text, encoding="utf-8")
    assert located(privacy.scan_file(md, TERMS, [], sizes=sizes)) == located(privacy.scan_file(md, TERMS, [], sizes=WHOLE))
    js = tmp_path / "fakta.json"  # read as a stream (json_whole=0): escapes decoded, located by line
    js.write_text("{\n" + ",\n".join(f'"k{i}": {json.dumps(DISGUISED[w] + " " + "x" * n)}' for i, (w, n) in enumerate(picks))
                  + "\n}\n", encoding="utf-8")
    streamed = {(f.kind, f.letter) for f in privacy.scan_file(js, TERMS, [], sizes=sizes)}
    assert streamed == {(f.kind, f.letter) for f in privacy.scan_file(js, TERMS, [], sizes=WHOLE)}
    assert streamed == {(f.kind, f.letter) for f in privacy.scan_file(js, TERMS, [])}  # parsed whole


def test_a_base64_data_uri_is_decoded_in_pieces_and_a_secret_over_a_piece_boundary_is_found(tmp_path):
    label = "Solbøen"
    for shift in range(0, 12):
        markup = svg(2000 + shift, label)
        b64 = base64.b64encode(markup.encode()).decode()
        f = tmp_path / "figur.html"
        f.write_text(f"<p>Figur</p>\n<img src='data:image/svg+xml;base64,{b64}'>\n", encoding="utf-8")
        found = privacy.scan_file(f, TERMS, [], sizes=extract.Sizes(chunk=4093, window=2048, overlap=512, raw=4096))
        assert [(x.kind, x.letter, x.where) for x in found] == [("navn", "B", "linje 2")], shift


def test_a_window_cut_inside_a_number_does_not_invent_a_phone_number_or_a_municipality_number(tmp_path):
    f = tmp_path / "tall.md"
    f.write_text("x" * 5000 + "12345678901234567890" * 3 + "99710" + "y" * 5000, encoding="utf-8")
    for overlap in (128, 256, 400):
        sizes = extract.Sizes(chunk=97, window=2 * overlap, overlap=overlap)
        assert privacy.scan_file(f, TERMS, [], sizes=sizes) == []


def test_input_that_made_the_guard_quadratic_is_read_in_linear_time(tmp_path):
    """R code in a listing ("x &lt;- 1": a "<" with no ">" after it, once read to the end of the text
    for each), a run of 800 000 spaces, all in one section (once narrowed line by line): the reader
    before streaming took about 19 s for a quarter of this page; now it is well under a second a MB."""
    import time

    f = tmp_path / "kode.html"
    f.write_text("<html><body><section id='sec-kode'>\n<pre><code>" + "x &lt;- c(1, 2)\n" * 240_000
                 + "</code></pre>\n<p>" + " " * 800_000 + "Fjellvik</p>\n</section></body></html>\n", encoding="utf-8")
    start = time.perf_counter()
    found = privacy.scan_file(f, TERMS, [])
    assert time.perf_counter() - start < 20  # about 2 s on a shared 2-core machine
    assert [(x.kind, x.letter, x.where) for x in found] == [("navn", "A", "avsnitt sec-kode, linje 240003")]
