# navrapport: data in, a checked Norwegian report out.
#   snakemake --cores 2                       build build/report.html and build/report.pdf
#   snakemake --cores 2 --config year=2015    the edition for another year
#   snakemake -n                              show the plan
# Stages live in rules/*.smk (clean, compare, report, fetch); the work is done by importable
# functions in scripts/, which the rules call as `python -m scripts.<stage>.<module>`.
import os
import sys

from snakemake.utils import min_version, validate

from scripts import paths, workflow as wf
from scripts.analysis import utgave
from scripts.data import preflight
from scripts.guard import manifest
from scripts.guard.publish import receipt_target

min_version("9.0")


envvars:
    "PATH",


# Every step's `python` is the interpreter that runs Snakemake (the project's .venv), whether
# or not the environment is activated.
os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")


configfile: "config/config.yaml"


wf.normalise_config(config)
# A problem found while the workflow is read stops it with the message alone: a user's
# mistake is not a crash, so no traceback. Nothing has run, and the last report is kept.
_bad_config = wf.config_problems(config, paths.CONFIG_SCHEMA)
if _bad_config:
    wf.stop(
        "Konfigurasjonen er ugyldig (config/config.yaml og --config); ingenting er bygget:\n  "
        + "\n  ".join(_bad_config)
        + "\nSe README.md, «Konfigurasjon»."
    )
# Also fills in the schema's defaults.
validate(config, "config/schema.yaml")

YEAR = int(config["year"])
YEARS = sorted(set(config.get("years", [])) | {YEAR})
OFFICES = list(config["offices"])
FORMATS = list(config["formats"])
ENGINE = wf.choose_engine(config["engine"])
# The kept edition this one is compared with (config forrige_utgave; default: last year's, if kept).
# Without one, the appendix «Hva er endret siden forrige utgave» is not in the book at all
# (Quarto profile report/_quarto-endringer.yml), and the report is as before.
try:
    PREVIOUS = utgave.forrige(config.get("forrige_utgave"), YEAR)
except utgave.EditionError as exc:
    wf.stop(str(exc))
PROFILES = ["endringer"] if PREVIOUS else []
CHAPTERS = wf.chapters(PROFILES)

# Every input file of the edition there (names only: the cleaning steps read the contents).
_inputs = preflight.problems(YEAR, YEARS, fetch=bool(config.get("fetch")))
if _inputs:
    wf.stop(_inputs)

try:
    manifest.verify()
except manifest.ManifestError as exc:
    wf.stop(str(exc))

_blocked = wf.output_problems(FORMATS)
if _blocked:
    wf.stop("Kan ikke bygge rapporten; ingenting er endret:\n  " + "\n  ".join(_blocked))


include: "rules/clean.smk"
include: "rules/compare.smk"
include: "rules/exact.smk"
include: "rules/report.smk"
include: "rules/fetch.smk"
include: "rules/kontor.smk"
include: "rules/utgave.smk"


rule all:
    input:
        # build/report.{html,pdf}, through the receipt of the step that publishes them (rules/report.smk).
        RECEIPT,
        # This edition as data, and what changed since the previous one (rules/utgave.smk).
        EDITION_OUTPUTS,
    default_target: True


onsuccess:
    # The count of changes, last, where the user looks when the build is done.
    if PREVIOUS and (paths.BUILD / "endringer.csv").is_file():
        print(f"Endringer siden forrige utgave: {utgave.summary_line(paths.BUILD / 'endringer.csv')}")


onerror:
    # Snakemake has already named the failed job and its log; say what the reader still has.
    print(wf.kept_reports_message(FORMATS), file=sys.stderr)
