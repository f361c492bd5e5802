# Clean: validate the raw inputs of each year and write tidy, typed tables to build/data/.
# A validation error names the file, row and column; nothing is written on failure.


rule clean_malekort:
    # Data steps first: the result chapters and the PDF wait for them (critical path).
    priority: 10
    input:
        "scripts/malekort.py",
        lambda wc: pipeline.all_inputs_under(paths.malekort_dir(int(wc.year))),
    output:
        "build/data/malekort_{year}.csv",
    conda:
        "../envs/navrapport.yaml"
    log:
        "logs/clean_malekort_{year}.log",
    shell:
        f"python -m scripts.step malekort clean --year {{wildcards.year}} --offices {OFFICES_ARG}"
        " --out {output} 2> {log} || (cat {log} >&2; exit 1)"


rule clean_kostra_offices:
    # Data steps first: the result chapters and the PDF wait for them (critical path).
    priority: 10
    input:
        "scripts/compare.py",
        src="data/raw/kostra_kontor/{year}.csv",
    output:
        "build/data/kostra_kontor_{year}.csv",
    conda:
        "../envs/navrapport.yaml"
    log:
        "logs/clean_kostra_kontor_{year}.log",
    shell:
        f"python -m scripts.step compare clean-kostra --year {{wildcards.year}} --offices {OFFICES_ARG}"
        " --src {input.src} --out {output} 2> {log} || (cat {log} >&2; exit 1)"
