# Exact tests (issue 16): the codebook of Tabell 4.1 against the results of Tabell 4.2, every
# assignment of the codes to the offices enumerated, and the figure of one permutation
# distribution. The appendix "Hva kan seks kontorer vise?" only reads these files.


rule exact:
    # Before the other data steps: exact tests -> figure -> appendix 7 -> PDF is the longest
    # chain of a clean build.
    priority: 20
    input:
        wf.code("scripts.analysis.exact"),
        "data/thesis/kodebok.yaml",
        "config/kodebok.schema.yaml",
        "data/thesis/tabell_4_2.csv",
        "data/thesis/indikatorer.yaml",
        "data/thesis/verktoy.yaml",
    output:
        "build/results/eksakt.json",
    params:
        offices=OFFICES,
    log:
        "logs/exact.log",
    benchmark:
        "logs/benchmarks/exact.tsv",
    resources:
        mem_mb=400,
        runtime=5,
    conda:
        "../envs/navrapport.yaml"
    shell:
        "python -m scripts.analysis.exact --offices {params.offices} --out {output} 2> {log}"


rule exact_figure:
    # Before the other data steps: exact tests -> figure -> appendix 7 -> PDF is the longest
    # chain of a clean build.
    priority: 20
    input:
        wf.code("scripts.content.eksakt_figur"),
        src="build/results/eksakt.json",
    output:
        "build/results/figurer/permutasjon.svg",
    log:
        "logs/exact_figure.log",
    benchmark:
        "logs/benchmarks/exact_figure.tsv",
    conda:
        "../envs/navrapport.yaml"
    shell:
        "python -m scripts.content.eksakt_figur --src {input.src} --out {output} 2> {log}"
