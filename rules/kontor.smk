# Office reports (issue 15): one short report per office in the edition's målekort files.
#   snakemake --cores 2 kontorrapporter
#   snakemake --cores 2 kontorrapporter --config kontor_data=build/oppdiktet/250 kontor_years=[2013,2014]
# The shared tables are computed once (kontor_tabeller); each office is then one job that only
# formats, renders into build/kontor/staging/ and runs the privacy guard over the final bytes,
# and a publish job per office copies the checked bytes to build/kontorrapporter/. Another data
# folder works in build/kontor/<folder name>/ and publishes to build/kontorrapporter/<folder
# name>/, so switching folders leaves each set whole. As for the main report, a failed office
# job leaves that office's last good report as it was.
# The main report does not depend on anything here.
from scripts.data import kontor_input

KONTOR_DATA = kontor_input.data_dir(config.get("kontor_data"))
KONTOR_YEARS = sorted(set(config.get("kontor_years") or YEARS) | {YEAR})
KONTOR_OUT = kontor_input.publish_dir(KONTOR_DATA)
KONTOR_WORK = kontor_input.work_dir(KONTOR_DATA)


# On a cluster, the target and the copy of checked bytes run where Snakemake runs: a
# submitted job would cost far more than the copy.
localrules:
    kontorrapporter,
    kontor_publish,


rule kontorrapporter:
    input:
        # Read only when office reports are asked for: the main report needs none of this. Each
        # office's publish receipt (its reports are published by then; see rule kontor_publish).
        # Deleted or replaced reports: the receipt's other name, so they are published again.
        lambda wc: [str(receipt_target(paths.ROOT / KONTOR_WORK / f"{k}.published").relative_to(paths.ROOT))
                    for k in kontor_input.offices(KONTOR_DATA, YEAR)],


rule kontor_tabeller:
    # Everything the office reports compare, for all offices at once (pandas starts once).
    priority: 10
    input:
        wf.code("scripts.analysis.kontor"),
        "data/thesis/indikatorer.yaml",
        "config/kostra_catalogue.yaml",
        wf.private_mapping(),
        kontor_input.inputs(KONTOR_DATA, KONTOR_YEARS),
        # The previous edition (rules/utgave.smk), for «Endret siden forrige rapport».
        [str(PREVIOUS.relative_to(paths.ROOT))] if PREVIOUS else [],
    output:
        f"{KONTOR_WORK}/tabeller.json",
    params:
        # As given in the config: a relative path keeps the job metadata the same wherever the project lies.
        data=lambda wc: config.get("kontor_data", "data/raw"),
        year=YEAR,
        years=KONTOR_YEARS,
        grupper=config.get("kontor_grupper", "alle"),
        storrelser=config.get("kontor_storrelser", [20000, 50000]),
        min_gruppe=config.get("kontor_min_gruppe", 5),
        forrige=f"--forrige {PREVIOUS.relative_to(paths.ROOT)}" if PREVIOUS else "",
    log:
        "logs/kontor_tabeller.log",
    benchmark:
        "logs/benchmarks/kontor_tabeller.tsv",
    resources:
        mem_mb=400,
        runtime=10,
    conda:
        "../envs/navrapport.yaml"
    shell:
        "python -m scripts.analysis.kontor --data {params.data:q} --year {params.year} --years {params.years}"
        " --grupper {params.grupper} --storrelser {params.storrelser} --min-gruppe {params.min_gruppe}"
        " {params.forrige} --out {output} 2> {log}"


rule kontor_rapport:
    # One office: format, render HTML and PDF/UA-1, then the privacy guard over the final bytes.
    input:
        code=wf.code("scripts.content.kontor"),
        templates=["report/_engine/template.html", "report/_kontor/template.typ",
                   "report/_engine/filters.lua", "report/_engine/style.css"],
        mapping=wf.private_mapping(),
        tables=f"{KONTOR_WORK}/tabeller.json",
    output:
        html=temp(f"{KONTOR_WORK}/staging/{{kontor}}.html"),
        pdf=temp(f"{KONTOR_WORK}/staging/{{kontor}}.pdf"),
        figure=temp(f"{KONTOR_WORK}/staging/{{kontor}}.svg"),
        stamp=temp(f"{KONTOR_WORK}/staging/{{kontor}}.guard.json"),
    params:
        outdir=lambda wc, output: os.path.dirname(output.stamp),
    wildcard_constraints:
        kontor=kontor_input.OFFICE_ID.pattern.strip("^$"),
    log:
        "logs/kontor/{kontor}.log",
    benchmark:
        "logs/benchmarks/kontor/{kontor}.tsv",
    conda:
        "../envs/navrapport.yaml"
    shell:
        "python -m scripts.content.kontor --tables {input.tables} --kontor {wildcards.kontor}"
        " --outdir {params.outdir} 2> {log}"


rule kontor_publish:
    # The only step that writes build/kontorrapporter/<kontor>.*: exactly the checked bytes.
    input:
        wf.code("scripts.guard.publish"),
        staged=[f"{KONTOR_WORK}/staging/{{kontor}}.html", f"{KONTOR_WORK}/staging/{{kontor}}.pdf"],
        stamp=f"{KONTOR_WORK}/staging/{{kontor}}.guard.json",
    output:
        # A receipt, not the reports: a failed publish keeps the office's last report (see rule publish).
        f"{KONTOR_WORK}/{{kontor}}.published-{{side}}.json",
    wildcard_constraints:
        kontor=kontor_input.OFFICE_ID.pattern.strip("^$"),
        side="a|b",
    params:
        dest=KONTOR_OUT,
    log:
        "logs/kontor/{kontor}.publish-{side}.log",
    benchmark:
        "logs/benchmarks/kontor/{kontor}.publish-{side}.tsv",
    conda:
        "../envs/navrapport.yaml"
    shell:
        "python -m scripts.guard.publish --stamp {input.stamp} --dest {params.dest} --receipt {output} {input.staged} 2> {log}"
