# navrapport: data in, a checked Norwegian report out.
#   snakemake --cores 2                       build build/report.html and build/report.pdf
#   snakemake --cores 2 --config year=2015    the edition for another year
#   snakemake -n                              show the plan
# Stages live in rules/*.smk; the work is done by importable functions in scripts/.
import os
import sys

from snakemake.utils import validate

from scripts import manifest, paths, pipeline


envvars:
    "PATH",


# Every step's `python` is the interpreter that runs Snakemake (the project's .venv), whether
# or not the environment is activated.
os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")


configfile: "config/config.yaml"


pipeline.normalise_config(config)
validate(config, "config/schema.yaml")
pipeline.clear_stale_locks()

YEAR = int(config["year"])
YEARS = sorted(set(config.get("years", [])) | {YEAR})
OFFICES = list(config["offices"])
FORMATS = list(config["formats"])
ENGINE = pipeline.choose_engine(config["engine"])
CHAPTERS = pipeline.chapters()
# Config values go into the shell commands as text rather than `params:`: Snakemake's
# code trigger still re-runs a step when they change, and no-op runs skip importing pandas
# (which Snakemake does to compare params).
OFFICES_ARG = " ".join(OFFICES)
YEARS_ARG = " ".join(map(str, YEARS))

try:
    manifest.verify()
except manifest.ManifestError as exc:
    raise WorkflowError(str(exc))

_missing = pipeline.missing_inputs(YEAR, YEARS, OFFICES)
if _missing:
    raise WorkflowError(
        f"Data for {', '.join(map(str, YEARS))} are incomplete; nothing was built. Missing:\n  "
        + "\n  ".join(_missing)
        + "\nSee README.md, 'Oppdatere med nye tall'."
    )


onstart:
    if not pipeline.no_rate_limit(workflow):
        print("navrapport: could not switch off Snakemake's job rate limit (internals moved?)")
    pipeline.spare_exit_gc()


include: "rules/clean.smk"
include: "rules/compare.smk"
include: "rules/report.smk"
include: "rules/fetch.smk"


rule all:
    input:
        expand("build/report.{fmt}", fmt=FORMATS),
        "build/guard.txt",
    default_target: True


rule guard:
    # Privacy guard over the intermediate results. The documents themselves (HTML, PDF text,
    # DOCX) are checked by the render step before they are written, so a leak never lands.
    input:
        "build/results/fakta.json",
        "build/results/verktoy.json",
        "build/results/resultater.json",
        "build/results/datagrunnlag.json",
        expand("build/chapters/{chapter}.md", chapter=CHAPTERS) if ENGINE == "builtin" else [],
    output:
        "build/guard.txt",
    conda:
        "envs/navrapport.yaml"
    log:
        "logs/guard.log",
    shell:
        "python -m scripts.step privacy {input} --stamp {output} 2> {log} || (cat {log} >&2; exit 1)"


pipeline.spare_exit_gc()
