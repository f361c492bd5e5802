# Clean: validate the raw inputs of each year and write tidy, typed tables to build/data/.
# A validation error names the file, row and column; nothing is written on failure.


rule clean_malekort:
    # Data steps first: the chapters that show results, and the documents, wait for them.
    priority: 10
    input:
        "scripts/data/malekort.py",
        lambda wc: wf.all_inputs_under(paths.malekort_dir(int(wc.year))),
    output:
        "build/data/malekort_{year}.csv",
    params:
        offices=OFFICES,
    log:
        "logs/clean_malekort_{year}.log",
    threads: 1
    resources:
        mem_mb=300,
        runtime=5,
    conda:
        "../envs/navrapport.yaml"
    shell:
        "python -m scripts.data.malekort clean --year {wildcards.year} --offices {params.offices}"
        " --out {output} 2> {log} || (cat {log} >&2; exit 1)"


rule clean_kostra_offices:
    # Data steps first: the chapters that show results, and the documents, wait for them.
    priority: 10
    input:
        "scripts/data/offices.py",
        # The typed-in file when there is one, else the fetched snapshots and the private mapping.
        lambda wc: wf.kostra_office_inputs(int(wc.year)),
    output:
        "build/data/kostra_kontor_{year}.csv",
    params:
        offices=OFFICES,
        src=lambda wc: f"data/raw/kostra_kontor/{wc.year}.csv",
    log:
        "logs/clean_kostra_kontor_{year}.log",
    threads: 1
    resources:
        mem_mb=300,
        runtime=5,
    conda:
        "../envs/navrapport.yaml"
    shell:
        "python -m scripts.data.offices --year {wildcards.year} --offices {params.offices}"
        " --src {params.src} --out {output} 2> {log} || (cat {log} >&2; exit 1)"
