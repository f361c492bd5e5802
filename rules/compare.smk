# Compare: from thesis facts and cleaned data to the results the chapters read (build/results/).
# Split by what each depends on, so a new målekort file re-runs only the results chapters.


rule facts:
    # Data steps first: the chapters that show results, and the documents, wait for them.
    priority: 10
    input:
        "scripts/data/thesis.py",
        expand("data/thesis/{f}.yaml", f=["fakta", "lederdemografi", "hypoteser", "vedlegg", "lederbakgrunn_4_2_4"]),
    output:
        "build/results/fakta.json",
    log:
        "logs/facts.log",
    threads: 1
    resources:
        mem_mb=200,
        runtime=5,
    conda:
        "../envs/navrapport.yaml"
    shell:
        "python -m scripts.data.thesis facts --out {output} 2> {log} || (cat {log} >&2; exit 1)"


rule tools_table:
    # Data steps first: the chapters that show results, and the documents, wait for them.
    priority: 10
    input:
        "scripts/analysis/compare.py",
        "scripts/content/fmt.py",
        "data/thesis/tabell_4_1.csv",
        "data/thesis/verktoy.yaml",
    output:
        "build/results/verktoy.json",
    params:
        offices=OFFICES,
    log:
        "logs/tools_table.log",
    threads: 1
    resources:
        mem_mb=300,
        runtime=5,
    conda:
        "../envs/navrapport.yaml"
    shell:
        "python -m scripts.analysis.compare tools --offices {params.offices} --out {output}"
        " 2> {log} || (cat {log} >&2; exit 1)"


rule results:
    # Data steps first: the chapters that show results, and the documents, wait for them.
    priority: 10
    input:
        "scripts/analysis/compare.py",
        "scripts/analysis/kostra_compare.py",
        "scripts/content/fmt.py",
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
    threads: 1
    resources:
        mem_mb=300,
        runtime=5,
    conda:
        "../envs/navrapport.yaml"
    shell:
        "python -m scripts.analysis.compare results --year {params.year} --years {params.years}"
        " --offices {params.offices} --out {output} 2> {log} || (cat {log} >&2; exit 1)"


rule result_figures:
    # Data steps first: the chapters that show results, and the documents, wait for them.
    priority: 10
    input:
        "scripts/content/figures.py",
        "scripts/content/figtext.py",
        "scripts/content/diagrams.py",
        src="build/results/resultater.json",
    output:
        "build/results/figurer/resultater.svg",
    log:
        "logs/result_figures.log",
    threads: 1
    resources:
        mem_mb=300,
        runtime=5,
    conda:
        "../envs/navrapport.yaml"
    shell:
        "python -m scripts.content.figures results --src {input.src} --out {output}"
        " 2> {log} || (cat {log} >&2; exit 1)"


rule diagrams:
    # Data steps first: the chapters that show results, and the documents, wait for them.
    priority: 10
    input:
        "scripts/content/diagrams.py",
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
    threads: 1
    resources:
        mem_mb=300,
        runtime=5,
    conda:
        "../envs/navrapport.yaml"
    shell:
        "python -m scripts.content.diagrams --src {input.src} --outdir {params.outdir}"
        " 2> {log} || (cat {log} >&2; exit 1)"


rule datagrunnlag:
    # Data steps first: the chapters that show results, and the documents, wait for them.
    priority: 10
    # Every input file with size and sha256 (and SSB fetch metadata) for the appendix
    # "Datagrunnlag og sporbarhet". New files are added to data/manifest.json as 'ny'.
    input:
        "scripts/guard/manifest.py",
        [str(p.relative_to(paths.ROOT)) for p in manifest.input_files()],
    output:
        "build/results/datagrunnlag.json",
    log:
        "logs/datagrunnlag.log",
    threads: 1
    resources:
        mem_mb=200,
        runtime=5,
    conda:
        "../envs/navrapport.yaml"
    shell:
        "python -m scripts.guard.manifest report --out {output} 2> {log} || (cat {log} >&2; exit 1)"


rule utgave:
    # What the note «Om denne utgaven» takes from the configuration (publisher, edition year).
    priority: 10
    input:
        "scripts/content/forside.py",
        "config/config.yaml",
    output:
        "build/results/utgave.json",
    params:
        utgiver=lambda wc: config["utgiver"],
        aar=YEAR,
    log:
        "logs/utgave.log",
    threads: 1
    resources:
        mem_mb=200,
        runtime=5,
    conda:
        "../envs/navrapport.yaml"
    shell:
        "python -m scripts.content.forside utgave --utgiver {params.utgiver:q} --aar {params.aar} --out {output}"
        " 2> {log} || (cat {log} >&2; exit 1)"
