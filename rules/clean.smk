# Clean: validate the raw inputs of each year and write tidy, typed tables to build/data/.
# A validation error names the file, row and column; nothing is written on failure.

# priority 10: data steps first, so the chapters and documents that wait for them start sooner.

rule clean_malekort:
    priority: 10
    input:
        wf.code("scripts.data.malekort"),
        lambda wc: wf.all_inputs_under(paths.malekort_dir(int(wc.year))),
    output:
        "build/data/malekort_{year}.csv",
    params:
        offices=OFFICES,
    log:
        "logs/clean_malekort_{year}.log",
    benchmark:
        "logs/benchmarks/clean_malekort_{year}.tsv",
    conda:
        "../envs/navrapport.yaml"
    shell:
        "python -m scripts.data.malekort clean --year {wildcards.year} --offices {params.offices}"
        " --out {output} 2> {log}"


rule clean_kostra_offices:
    priority: 10
    input:
        wf.code("scripts.data.offices"),
        # The typed-in file when there is one, else the fetched snapshots and the private mapping.
        lambda wc: wf.kostra_office_inputs(int(wc.year)),
    output:
        "build/data/kostra_kontor_{year}.csv",
    params:
        offices=OFFICES,
        src=lambda wc: f"data/raw/kostra_kontor/{wc.year}.csv",
    log:
        "logs/clean_kostra_kontor_{year}.log",
    benchmark:
        "logs/benchmarks/clean_kostra_kontor_{year}.tsv",
    conda:
        "../envs/navrapport.yaml"
    shell:
        "python -m scripts.data.offices --year {wildcards.year} --offices {params.offices}"
        " --src {params.src} --out {output} 2> {log}"
