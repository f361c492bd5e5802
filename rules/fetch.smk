# Fetch: the only step that talks to the network, and only when asked:
#   snakemake --cores 1 fetch_kostra --config fetch=true
# Each response is stored as received under data/raw/kostra/ with a provenance sidecar;
# a failed or invalid fetch leaves the last good snapshot in place.


rule fetch_kostra:
    input:
        "config/kostra_catalogue.yaml",
    output:
        touch("logs/fetch_kostra.done"),
    conda:
        "../envs/navrapport.yaml"
    log:
        "logs/fetch_kostra.log",
    shell:
        f"if [ '{config.get('fetch', False)}' != 'True' ]; then"
        " echo 'fetch_kostra contacts SSB; run it with --config fetch=true' >&2; exit 1; fi; "
        f"python -m scripts.kostra_client fetch --catalogue {{input}} --years {YEARS_ARG}"
        " 2> >(tee {log} >&2)"
