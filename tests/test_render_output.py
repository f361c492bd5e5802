"""What the renderer does after Pandoc: resources inlined into the HTML, and the privacy
check that reads the Typst source instead of the compiled PDF.

The names, numbers and addresses below are made up for the test."""
import base64
import re

import pytest

from scripts.engine import render
from scripts.guard import privacy

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"><rect width="2" height="2"/></svg>'
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")


def page(css, body):
    return (f'<html><head><link rel="stylesheet" href="{css}" /></head>'
            f"<body>{body}</body></html>")


@pytest.fixture
def site(tmp_path):
    (tmp_path / "fig").mkdir()
    (tmp_path / "fig" / "a.svg").write_bytes(SVG)
    (tmp_path / "fig" / "b.png").write_bytes(PNG)
    css = tmp_path / "style.css"
    css.write_text("body { color: #111; }\n", encoding="utf-8")
    return tmp_path, css


def data_uri(html, n):
    return re.findall(r'src="data:([^;]+);base64,([^"]+)"', html)[n]


def test_stylesheet_and_images_are_inlined(site):
    root, css = site
    html = page(css, '<img src="fig/a.svg" alt="Søyler for kontor A–F" class="w" />'
                     '<img src="fig/b.png" alt="Punkt">')
    out = render.embed_resources(html, css, root)
    assert "<link" not in out and "<style>\nbody { color: #111; }\n</style>" in out
    mime, payload = data_uri(out, 0)
    assert mime == "image/svg+xml" and base64.b64decode(payload) == SVG
    mime, payload = data_uri(out, 1)
    assert mime == "image/png" and base64.b64decode(payload) == PNG
    # SVG images are announced as images with their alt text, as Pandoc's embedding does;
    # the other attributes stay.
    svg_tag = re.search(r"<img [^>]*image/svg[^>]*>", out).group(0)
    assert 'role="img"' in svg_tag and 'aria-label="Søyler for kontor A–F"' in svg_tag
    assert 'alt="Søyler for kontor A–F"' in svg_tag and 'class="w"' in svg_tag
    png_tag = re.search(r"<img [^>]*image/png[^>]*>", out).group(0)
    assert 'role="img"' not in png_tag and 'alt="Punkt"' in png_tag


@pytest.mark.parametrize("src", ["https://cdn.example.org/x.svg", "fig/mangler.svg", "fig/a.gif"])
def test_an_image_that_is_not_a_local_file_stops_the_render(site, src):
    root, css = site
    (root / "fig" / "a.gif").write_bytes(b"GIF89a")
    with pytest.raises(RuntimeError, match=re.escape(f"bildet «{src}» er ikke en lokal SVG-, PNG- eller JPEG-fil "
                                                     f"under {root}; forventet en fil som finnes der")):
        render.embed_resources(page(css, f'<img src="{src}" alt="x" />'), css, root)


def test_a_template_without_the_stylesheet_link_is_an_error(site):
    root, css = site
    with pytest.raises(RuntimeError, match=re.escape(f"HTML-malen lenker ikke lenger til stilarket {css}; forventet "
                                                     f'«<link rel="stylesheet" href="{css}" />»')):
        render.embed_resources("<html><body></body></html>", css, root)


def test_the_real_html_render_is_self_contained():
    html = render.render_html("---\ntitle: Prøve\nlang: nb\n---\n\n# Innledning\n\nTekst.\n").decode("utf-8")
    assert "<link rel=\"stylesheet\"" not in html and "<style>" in html
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)


LEAKS = ("Kontoret i Oppdikt*by* svarte. Ring 22 33 44 55 eller skriv til ola.nordmann@example.no.\n\n"
         "| Kontor | Telefon |\n|---|---|\n| A | 999 99 999 |\n")


def test_the_guard_finds_every_leak_in_the_final_pdf(tmp_path):
    """The guard reads the compiled PDF itself: a name split by emphasis, phone numbers whose
    groups Pandoc joins with no-break spaces, and an e-mail address Typst had to escape."""
    import typst

    typ = render.render_typst("---\ntitle: Prøve\nlang: nb\n---\n\n# Innledning\n\n" + LEAKS)
    assert "ola.nordmann\\@example.no" in typ  # escaped in the source: a source check would need to undo it
    src = tmp_path / "t.typ"
    src.write_text(typ, encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(typst.compile(str(src), root=str(tmp_path), ignore_system_fonts=True))
    found = privacy.scan_file(pdf, [privacy.Term("Oppdiktby", "A")], [])
    assert {(f.kind, f.key) for f in found} == {("navn", "oppdiktby"), ("telefon", "22334455"),
                                                ("telefon", "99999999"), ("e-post", "ola.nordmann@example.no")}
    assert all(f.where.startswith("side ") for f in found)  # located by page
