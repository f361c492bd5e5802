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
from scripts.guard import manifest

min_version("9.0")


envvars:
    "PATH",


# Every step's `python` is the interpreter that runs Snakemake (the project's .venv), whether
# or not the environment is activated.
os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")


configfile: "config/config.yaml"


wf.normalise_config(config)
validate(config, "config/schema.yaml")

YEAR = int(config["year"])
YEARS = sorted(set(config.get("years", [])) | {YEAR})
OFFICES = list(config["offices"])
FORMATS = list(config["formats"])
ENGINE = wf.choose_engine(config["engine"])
CHAPTERS = wf.chapters()

try:
    manifest.verify()
except manifest.ManifestError as exc:
    raise WorkflowError(str(exc))

_missing = wf.missing_inputs(YEAR, YEARS, OFFICES)
if _missing:
    raise WorkflowError(
        f"Data for {', '.join(map(str, YEARS))} er ufullstendige; ingenting er bygget. Mangler:\n  "
        + "\n  ".join(_missing)
        + "\nSe README.md, «Oppdatere med nye tall»."
    )

_blocked = wf.output_problems(FORMATS)
if _blocked:
    raise WorkflowError("Kan ikke bygge rapporten; ingenting er endret:\n  " + "\n  ".join(_blocked))


include: "rules/clean.smk"
include: "rules/compare.smk"
include: "rules/exact.smk"
include: "rules/report.smk"
include: "rules/fetch.smk"


rule all:
    input:
        expand("build/report.{fmt}", fmt=FORMATS),
    default_target: True


onerror:
    # Snakemake has already named the failed job and its log; say what the reader still has.
    print(wf.kept_reports_message(FORMATS), file=sys.stderr)
