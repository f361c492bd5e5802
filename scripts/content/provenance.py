"""Generated text and tables for the appendices "Datagrunnlag" (for readers) and "Om denne rapporten"
(the technical one: files, checksums, SSB extracts)."""
from __future__ import annotations

from scripts.content import escape, fmt
from scripts.content.fmt import md_escape
from scripts.content.tables import pipe_table

STATUS = {"godkjent": "godkjent", "ny": "**ny** (ikke godkjent ennå)"}


def _table(rows: list[dict], widths: list[float], align: list[str]) -> str:
    """Rows of equal keys (the column headers) as a pipe table."""
    return pipe_table(list(rows[0]), [list(r.values()) for r in rows], widths, align)


def manifest_table(entries: list[dict]) -> str:
    """The manifest as a pipe table: file, size, the start of its checksum, status."""
    rows = [{"Fil": md_escape(e["sti"]), "Størrelse (byte)": fmt.tall(e["bytes"], min_tusen=10**12),
             "SHA-256 (begynnelsen)": f"`{e['sha256'][:16]}`", "Status": STATUS.get(e.get("status", "godkjent"))}
            for e in entries]
    return _table(rows, [0.44, 0.14, 0.2, 0.22], ["left", "right", "left", "left"])


def kostra_status(entries: list[dict]) -> str:
    """Which SSB snapshots the edition has, with fetch time and SSB's own update time."""
    snaps = [e for e in entries if e["sti"].startswith("data/raw/kostra/") and e.get("hentet")]
    if not snaps:
        return ("Utgaven bygger ikke på egne uttrekk fra SSBs statistikkbank. KOSTRA-tallene for kontorene er "
                "de publiserte tallene slik oppgaven gjengir dem. Uttrekk hentes bare når brukeren ber om det, "
                "og lagres da med tidspunkt og SSBs oppdateringsdato.")
    items = [f"- {escape.code(e['sti'])}: hentet {md_escape(e['hentet'])}, oppdatert hos SSB "
             f"{md_escape(e.get('ssb_oppdatert') or 'ukjent')}" for e in snaps]
    return "Utgaven har disse uttrekkene fra SSBs statistikkbank:\n\n" + "\n".join(items)


def avvik_tekst(avvik: list[dict], aar: int, oppgaven_har_tall: bool = True, avskrift: bool = False) -> str:
    """Differences between the thesis's published figures and the data used, for one year.

    ``avskrift``: the year's data files were transcribed from the thesis's own table (the 2014
    files are; the målekort were never published). Then agreement only shows that the
    transcription is right, and the sentence says so rather than calling it a check of the data.
    """
    if not oppgaven_har_tall:
        return (f"Oppgaven publiserer ingen tall for {aar}; alle tall for {aar} i denne utgaven kommer fra "
                "datafilene for året.")
    if avskrift and not avvik:
        return (f"Tallene for {aar} er skrevet av fra oppgavens tabell 4.2. Når byggingen holder dem opp mot "
                "tabellen, kontrollerer den bare at avskriften er riktig, ikke tallene selv; avskriften stemmer "
                "for alle kontorer og indikatorer.")
    if not avvik:
        return (f"For {aar} er tallene i rapporten de samme som tallene oppgaven publiserer, der oppgaven "
                "har tall for samme kontor og indikator.")
    lines = [f"- Kontor {md_escape(a['kontor'])}, {md_escape(a['indikator_id'])}: oppgaven "
             f"{fmt.tall(a['oppgave'], 1)}, dataene {fmt.tall(a['data'], 1)}" for a in avvik]
    return (f"For {aar} avviker dataene fra tallene oppgaven publiserer (oppgaven brukte ureviderte tall):\n\n"
            + "\n".join(lines))


def hentet_tekst(hentet: list[dict], referanser: dict) -> str:
    """Fetched SSB figures next to the published ones the report uses, and the reference values."""
    parts = []
    if hentet:
        rows = [{"Kontor": md_escape(h["kontor"]), "År": str(h["aar"]), "Indikator": md_escape(h["indikator_id"]),
                 "Publisert": fmt.tall(h["publisert"], 1), "Hentet": fmt.tall(h["hentet"], 1),
                 "Differanse": fmt.tall(h["differanse"], 1)} for h in hentet]
        parts.append("Tall hentet fra SSB sammenliknet med de publiserte tallene rapporten bruker (oppgaven brukte "
                     "ureviderte tall):\n\n" + _table(rows, [0.1, 0.1, 0.38, 0.14, 0.14, 0.14],
                                                        ["left", "left", "left", "right", "right", "right"]))
    for ind, refs in sorted(referanser.items()):
        for r in refs:
            parts.append(f"Referanse for {md_escape(ind)}: {md_escape(r['etikett'])} {fmt.tall(r['verdi'], 1)} "
                         f"({md_escape(r['definisjon'])}).")
    if not parts:
        return ("Ingen hentede SSB-tall kan sammenliknes ennå: enten finnes ingen uttrekk, eller katalogen "
                "(`config/kostra_catalogue.yaml`) mangler bekreftet innholdskode for indikatorene.")
    return "\n\n".join(parts)
