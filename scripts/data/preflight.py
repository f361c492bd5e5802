"""The check before any work starts: is every input file of the edition there?

The Snakefile calls :func:`problems` when it is read (every ``snakemake`` call, ``-n``
included), so it only looks at which files exist: it parses nothing. What is *in* the files
is checked once, by the cleaning steps (``scripts.data.malekort`` and ``scripts.data.offices``),
whose messages name file, row, column, value and the nearest valid value.

Per year of the edition (the edition year and ``years``): the målekort folder has an export,
and the KOSTRA figures per office are there (the typed-in CSV, or figures fetched for the
offices' own municipalities). A file that is there under another name or type is named.
"""
from __future__ import annotations

from pathlib import Path

from scripts import paths

EXPORT_SUFFIXES = (".csv", ".xlsx")


def _rel(path: Path) -> str:
    """The path as the user knows it: relative to the project when inside it."""
    return str(path.relative_to(paths.ROOT)) if path.is_relative_to(paths.ROOT) else str(path)


def exports(folder: Path) -> list[Path]:
    """The målekort exports in a year's folder (hidden files and Excel lock files skipped)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~$"))
                  and p.suffix.lower() in EXPORT_SUFFIXES)


def has_fetched_figures() -> bool:
    """Whether figures were fetched for the offices' own municipalities (private mapping and
    snapshots present); which years they cover is checked by the cleaning step."""
    folder = paths.RAW_KOSTRA / "private"
    return paths.PRIVATE_OFFICES.is_file() and folder.is_dir() and any(folder.glob("*.json"))


def kostra_missing(year: int) -> str | None:
    """Why the KOSTRA figures per office for ``year`` are missing, or None when they are there."""
    csv_path = paths.kostra_offices_csv(year)
    if csv_path.is_file() or has_fetched_figures():
        return None
    line = f"{_rel(csv_path)} finnes ikke: KOSTRA-tall per kontor (kolonner kontor,aar,indikator_id,verdi,kilde)"
    near = sorted(p for p in csv_path.parent.glob(f"{year}*") if p != csv_path) if csv_path.parent.is_dir() else []
    if near:
        line += (f"; {_rel(near[0])} finnes, men tallene leses bare fra {csv_path.name} "
                 "(lagre filen som CSV med det navnet)")
    return line


def malekort_missing(year: int) -> str | None:
    """Why the målekort exports for ``year`` are missing, or None when there is one."""
    folder = paths.malekort_dir(year)
    if exports(folder):
        return None
    line = f"{_rel(folder)}/ har ingen målekorteksport (.xlsx eller .csv) for {year}; se docs/malekort-format.md"
    others = sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    if others:
        line += f" (mappen har {', '.join(others)})"
    return line


def problems(year: int, years: list[int], fetch: bool = False) -> str:
    """What is missing for the edition, as one Norwegian message ('' when all is there).

    With ``fetch`` (``--config fetch=true``) nothing is reported: the fetch is what brings a
    new year's KOSTRA figures, and it may run before that year's målekort exports are in.
    """
    if fetch:
        return ""
    missing = {}
    for y in sorted(set(years) | {year}):
        lines = [m for m in (malekort_missing(y), kostra_missing(y)) if m]
        if lines:
            missing[y] = lines
    if not missing:
        return ""
    parts = [f"Data mangler for {', '.join(map(str, missing))}; ingenting er bygget."]
    parts += [f"Mangler for {y}:\n  " + "\n  ".join(lines) for y, lines in missing.items()]
    parts.append("Har du lagt inn tall for et nytt år, sett year og years i config/config.yaml "
                 "(se README.md, «Oppdatere med nye tall»).")
    return "\n".join(parts)
