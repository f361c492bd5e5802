# Compare: from thesis facts and cleaned data to the results the chapters read (build/results/).
# Split by what each depends on, so a new målekort file re-runs only the results chapters.


rule facts:
    # Data steps first: the result chapters and the PDF wait for them (critical path).
    priority: 10
    input:
        "scripts/thesis.py",
        expand("data/thesis/{f}.yaml", f=["fakta", "lederdemografi", "hypoteser", "vedlegg"]),
    output:
        "build/results/fakta.json",
    conda:
        "../envs/navrapport.yaml"
    log:
        "logs/facts.log",
    shell:
        "python -m scripts.step thesis facts --out {output} 2> {log} || (cat {log} >&2; exit 1)"


rule tools_table:
    # Data steps first: the result chapters and the PDF wait for them (critical path).
    priority: 10
    input:
        "scripts/compare.py",
        "scripts/fmt.py",
        "data/thesis/tabell_4_1.csv",
        "data/thesis/verktoy.yaml",
    output:
        "build/results/verktoy.json",
    conda:
        "../envs/navrapport.yaml"
    log:
        "logs/tools_table.log",
    shell:
        f"python -m scripts.step compare tools --offices {OFFICES_ARG}"
        " --out {output}"
        " 2> {log} || (cat {log} >&2; exit 1)"


rule results:
    # Data steps first: the result chapters and the PDF wait for them (critical path).
    priority: 10
    input:
        "scripts/compare.py",
        "scripts/fmt.py",
        expand("build/data/malekort_{y}.csv", y=YEARS),
        expand("build/data/kostra_kontor_{y}.csv", y=YEARS),
        "data/thesis/indikatorer.yaml",
        "data/thesis/tabell_4_2.csv",
        "config/kostra_catalogue.yaml",
        # SSB snapshots (written only by fetch_kostra): reference values and fetched figures.
        pipeline.snapshot_files(),
    output:
        "build/results/resultater.json",
    conda:
        "../envs/navrapport.yaml"
    log:
        "logs/results.log",
    shell:
        f"python -m scripts.step compare results --year {YEAR} --years {YEARS_ARG} --offices {OFFICES_ARG}"
        " --out {output} 2> {log} || (cat {log} >&2; exit 1)"


rule result_figures:
    # Data steps first: the result chapters and the PDF wait for them (critical path).
    priority: 10
    input:
        "scripts/figures.py",
        "scripts/diagrams.py",
        src="build/results/resultater.json",
    output:
        "build/results/figurer/resultater.svg",
    conda:
        "../envs/navrapport.yaml"
    log:
        "logs/result_figures.log",
    shell:
        "python -m scripts.step figures results --src {input.src} --out {output}"
        " 2> {log} || (cat {log} >&2; exit 1)"


rule diagrams:
    priority: 10
    input:
        "scripts/diagrams.py",
        src="data/thesis/diagrammer.yaml",
    output:
        expand(
            "build/results/figurer/{name}.svg",
            name=["hofstede", "samstyring", "resultatkjede", "rapportering", "modell"],
        ),
    conda:
        "../envs/navrapport.yaml"
    log:
        "logs/diagrams.log",
    shell:
        "python -m scripts.step diagrams --src {input.src} --outdir build/results/figurer"
        " 2> {log} || (cat {log} >&2; exit 1)"


rule datagrunnlag:
    # Every input file with size and sha256 (and SSB fetch metadata) for the appendix
    # "Datagrunnlag og sporbarhet". New files are added to data/manifest.json as 'ny'.
    priority: 10
    input:
        "scripts/manifest.py",
        [str(p.relative_to(paths.ROOT)) for p in manifest.input_files()],
    output:
        "build/results/datagrunnlag.json",
    conda:
        "../envs/navrapport.yaml"
    log:
        "logs/datagrunnlag.log",
    shell:
        "python -m scripts.step manifest report --out {output}"
        " 2> {log} || (cat {log} >&2; exit 1)"
