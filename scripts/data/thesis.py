"""Thesis facts: read ``data/thesis/*.yaml``, check them, and write ``build/results/fakta.json``.

The facts carry the page of the thesis they come from (``side``). Leader demographics are
kept in their own file and never joined to an office letter (anonymity, as in the thesis).
The one exception is the thesis's own: in 4.2.4 (pp. 55–56) it ties a leader's state or
municipal background to an office letter, and its conclusion rests on that; those few
statements live in ``lederbakgrunn_4_2_4.yaml`` with a fixed shape and nothing else.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

from scripts import paths
from scripts.atomic import write_text
from scripts.cli import entry
from scripts.settings import yaml_error

FILES = ("fakta", "lederdemografi", "hypoteser", "vedlegg", "lederbakgrunn_4_2_4")
# What lederbakgrunn_4_2_4.yaml may hold: the letter(s), the background in the thesis's terms, the page.
BAKGRUNN_FELT = {"kontor", "kontorer", "bakgrunn", "side"}
BAKGRUNN_SIDER = {55, 56}
OFFICE_KEY = re.compile(r"^(kontor_?[a-f]|[A-F])$", re.I)


class FactsError(ValueError):
    """Thesis facts with the wrong shape; the message names the file and key."""


def load(name: str, folder: Path = paths.THESIS) -> dict:
    """One facts file as a dict; a YAML error names the file."""
    path = folder / f"{name}.yaml"
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        raise FactsError(f"{path}: {yaml_error(exc)}") from exc
    if not isinstance(data, dict):
        raise FactsError(f"{path}: fant {type(data).__name__} øverst; forventet en tabell (nøkkel: verdi)")
    return data


def office_keys(obj, trail: str = "") -> list[str]:
    """Paths of keys that look like an office letter (to keep demographics unlinked)."""
    found = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            here = f"{trail}.{k}" if trail else str(k)
            if OFFICE_KEY.match(str(k)):
                found.append(here)
            found += office_keys(v, here)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            found += office_keys(v, f"{trail}[{i}]")
    return found


def collect(folder: Path = paths.THESIS) -> dict:
    """All facts files under their file name; refuses demographics tied to an office."""
    data = {name: load(name, folder) for name in FILES}
    linked = office_keys(data["lederdemografi"])
    if linked:
        raise FactsError(f"{folder / 'lederdemografi.yaml'}: nøklene {', '.join(linked)} knytter ledernes "
                         "demografi til et kontor; forventet tall for hele utvalget (oppgaven lovet at de ikke "
                         "kobles til kontor)")
    for key, fact in data["lederbakgrunn_4_2_4"].items():
        where = f"{folder / 'lederbakgrunn_4_2_4.yaml'}: {key}"
        if not isinstance(fact, dict) or set(fact) - BAKGRUNN_FELT or fact.get("side") not in BAKGRUNN_SIDER:
            raise FactsError(f"{where}: forventet bare feltene {', '.join(sorted(BAKGRUNN_FELT))} og en side i "
                             "4.2.4 (55 eller 56); fila holder bare det oppgaven selv knytter til en kontorbokstav")
    return data


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m scripts.data.thesis")
    sub = p.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("facts")
    f.add_argument("--out", type=Path, required=True)
    a = p.parse_args(argv)
    try:
        data = collect()
    except (FactsError, FileNotFoundError) as exc:
        print(f"thesis: {exc}", file=sys.stderr)
        return 1
    write_text(a.out, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(entry(main))
