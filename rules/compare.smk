# Compare: from thesis facts and cleaned data to the results the chapters read (build/results/).
# Split by what each depends on, so a new målekort file re-runs only the results chapters.

# priority 10: data steps first, so the chapters and documents that wait for them start sooner.

rule facts:
    priority: 10
    input:
        wf.code("scripts.data.thesis"),
        expand("data/thesis/{f}.yaml", f=["fakta", "lederdemografi", "hypoteser", "vedlegg", "lederbakgrunn_4_2_4"]),
    output:
        "build/results/fakta.json",
    log:
        "logs/facts.log",
    benchmark:
        "logs/benchmarks/facts.tsv",
    conda:
        "../envs/navrapport.yaml"
    shell:
        "python -m scripts.data.thesis facts --out {output} 2> {log}"


rule tools_table:
    priority: 10
    input:
        wf.code("scripts.analysis.compare"),
        "data/thesis/tabell_4_1.csv",
        "data/thesis/verktoy.yaml",
    output:
        "build/results/verktoy.json",
    params:
        offices=OFFICES,
    log:
        "logs/tools_table.log",
    benchmark:
        "logs/benchmarks/tools_table.tsv",
    conda:
        "../envs/navrapport.yaml"
    shell:
        "python -m scripts.analysis.compare tools --offices {params.offices} --out {output} 2> {log}"


rule results:
    priority: 10
    input:
        wf.code("scripts.analysis.compare"),
        expand("build/data/malekort_{y}.csv", y=YEARS),
        expand("build/data/kostra_kontor_{y}.csv", y=YEARS),
        "data/thesis/indikatorer.yaml",
        "data/thesis/tabell_4_2.csv",
        "config/kostra_catalogue.yaml",
        # SSB snapshots (written only by fetch_kostra): reference values and fetched figures.
        wf.snapshot_files(),
    output:
        "build/results/resultater.json",
    params:
        year=YEAR,
        years=YEARS,
        offices=OFFICES,
    log:
        "logs/results.log",
    benchmark:
        "logs/benchmarks/results.tsv",
    conda:
        "../envs/navrapport.yaml"
    shell:
        "python -m scripts.analysis.compare results --year {params.year} --years {params.years}"
        " --offices {params.offices} --out {output} 2> {log}"


rule result_figures:
    priority: 10
    input:
        wf.code("scripts.content.figures"),
        src="build/results/resultater.json",
    output:
        wide="build/results/figurer/resultater.svg",
        # The phone variant (one panel per row), shown below 600 px.
        narrow="build/results/figurer/resultater-smal.svg",
    log:
        "logs/result_figures.log",
    benchmark:
        "logs/benchmarks/result_figures.tsv",
    conda:
        "../envs/navrapport.yaml"
    shell:
        "python -m scripts.content.figures results --src {input.src} --out {output.wide}"
        " --out-smal {output.narrow} 2> {log}"


rule diagrams:
    priority: 10
    input:
        wf.code("scripts.content.diagrams"),
        src="data/thesis/diagrammer.yaml",
    output:
        expand(
            "build/results/figurer/{name}.svg",
            name=["hofstede", "samstyring", "resultatkjede", "rapportering", "modell"],
        ),
    params:
        outdir=lambda wc, output: os.path.dirname(output[0]),
    log:
        "logs/diagrams.log",
    benchmark:
        "logs/benchmarks/diagrams.tsv",
    conda:
        "../envs/navrapport.yaml"
    shell:
        "python -m scripts.content.diagrams --src {input.src} --outdir {params.outdir} 2> {log}"


rule datagrunnlag:
    priority: 10
    # Every input file with size and sha256 (and SSB fetch metadata) for the appendix
    # "Datagrunnlag og sporbarhet"; files not yet approved in data/manifest.json are listed as 'ny'.
    input:
        wf.code("scripts.guard.manifest"),
        # Approving a file changes the appendix.
        "data/manifest.json",
        [str(p.relative_to(paths.ROOT)) for p in manifest.input_files()],
    output:
        "build/results/datagrunnlag.json",
    log:
        "logs/datagrunnlag.log",
    benchmark:
        "logs/benchmarks/datagrunnlag.tsv",
    conda:
        "../envs/navrapport.yaml"
    shell:
        "python -m scripts.guard.manifest report --out {output} 2> {log}"


rule utgave:
    # What the note «Om denne utgaven» takes from the configuration (publisher, edition year).
    priority: 10
    input:
        wf.code("scripts.content.forside"),
    output:
        "build/results/utgave.json",
    params:
        utgiver=lambda wc: config["utgiver"],
        aar=YEAR,
    log:
        "logs/utgave.log",
    benchmark:
        "logs/benchmarks/utgave.tsv",
    conda:
        "../envs/navrapport.yaml"
    shell:
        "python -m scripts.content.forside utgave --utgiver {params.utgiver:q} --aar {params.aar} --out {output} 2> {log}"
