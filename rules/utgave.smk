# Editions as data (issue 27): every build records its edition in build/utgave/utgave.json; with a
# previous edition (config forrige_utgave, default the kept edition of the year before) the build
# also writes what changed: build/endringer.csv and the appendix «Hva er endret siden forrige utgave».
# Keeping an edition is the user's explicit command, never a build step:
#   python -m scripts.analysis.utgave behold --til data/editions/2014
EDITION = "build/utgave/utgave.json"
EDITION_OUTPUTS = [EDITION, *(["build/endringer.csv"] if PREVIOUS else [])]


rule utgavedata:
    priority: 10
    input:
        wf.code("scripts.analysis.utgave"),
        "config/kostra_catalogue.yaml",
        resultater="build/results/resultater.json",
        fakta="build/results/fakta.json",
        datagrunnlag="build/results/datagrunnlag.json",
    output:
        EDITION,
    log:
        "logs/utgavedata.log",
    benchmark:
        "logs/benchmarks/utgavedata.tsv",
    conda:
        "../envs/navrapport.yaml"
    shell:
        "python -m scripts.analysis.utgave lag --resultater {input.resultater} --fakta {input.fakta}"
        " --datagrunnlag {input.datagrunnlag} --out {output} 2> {log}"


if PREVIOUS:

    rule endringer:
        priority: 10
        input:
            wf.code("scripts.analysis.utgave"),
            forrige=str(PREVIOUS.relative_to(paths.ROOT)) if PREVIOUS.is_relative_to(paths.ROOT) else str(PREVIOUS),
            denne=EDITION,
        output:
            csv="build/endringer.csv",
            json="build/results/endringer.json",
        log:
            "logs/endringer.log",
        benchmark:
            "logs/benchmarks/endringer.tsv",
        conda:
            "../envs/navrapport.yaml"
        shell:
            "python -m scripts.analysis.utgave endringer --forrige {input.forrige} --denne {input.denne}"
            " --csv {output.csv} --json {output.json} 2> {log}"
