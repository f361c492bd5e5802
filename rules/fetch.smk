# Fetch: the only step that talks to the network, and only when asked:
#   snakemake --cores 1 fetch_kostra --config fetch=true
# Each response is stored as received under data/raw/kostra/ with a provenance sidecar;
# a failed or invalid fetch leaves the last good snapshot in place.


rule fetch_kostra:
    input:
        "config/kostra_catalogue.yaml",
    # No output file: asked for by name, the rule always runs, so the same command fetches
    # again when SSB has updated a table (the snapshots are its real, atomic outputs).
    params:
        allowed=config.get("fetch", False),
        years=YEARS,
        base_url=config.get("ssb_url", "https://data.ssb.no/api/pxwebapi/v2"),
    log:
        "logs/fetch_kostra.log",
    resources:
        mem_mb=500,
        runtime=30,
    conda:
        "../envs/navrapport.yaml"
    shell:
        "if [ '{params.allowed}' != 'True' ]; then"
        " echo 'fetch_kostra kontakter SSB; kjør med --config fetch=true' >&2; exit 1; fi; "
        "python -m scripts.data.kostra_client fetch --catalogue {input} --years {params.years}"
        " --base-url {params.base_url:q}"
        " 2> >(tee {log} >&2)"
