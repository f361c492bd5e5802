# Report: execute each chapter in its own job (in parallel, only when its inputs change),
# render the documents into build/staging/, check their final bytes, then publish them to
# build/report.*. Snakemake deletes a job's outputs before it runs, so nothing but the
# last step writes build/report.*: a failed chapter, render or guard leaves the previous
# report as it was.
STAGED = expand("build/staging/report.{fmt}", fmt=FORMATS)

if ENGINE == "builtin":

    rule chapter:
        input:
            code=[
                "scripts/engine/execute.py",
                "scripts/engine/qmd.py",
                "scripts/content/reportkit.py",
                "scripts/content/fmt.py",
            ],
            qmd="report/{chapter}.qmd",
            results=lambda wc: wf.declared_inputs(CHAPTERS[wc.chapter]),
        output:
            "build/chapters/{chapter}.md",
        wildcard_constraints:
            chapter="|".join(CHAPTERS),
        log:
            "logs/chapter/{chapter}.log",
        threads: 1
        resources:
            mem_mb=300,
            runtime=5,
        conda:
            "../envs/navrapport.yaml"
        shell:
            "python -m scripts.engine.execute {input.qmd} {output} 2> {log} || (cat {log} >&2; exit 1)"

    rule render:
        input:
            code=["scripts/engine/render.py", "scripts/engine/numbering.py", "scripts/engine/book.py"],
            chapters=expand("build/chapters/{chapter}.md", chapter=CHAPTERS),
            book="report/_quarto.yml",
            bib="report/references.bib",
            engine=wf.engine_files(),
        output:
            temp("build/staging/report.{fmt}"),
        wildcard_constraints:
            fmt="html|pdf|docx",
        log:
            "logs/render_{fmt}.log",
        threads: 1
        resources:
            mem_mb=500,
            runtime=10,
        conda:
            "../envs/navrapport.yaml"
        shell:
            "python -m scripts.engine.render {wildcards.fmt} 2> {log} || (cat {log} >&2; exit 1)"


else:

    rule quarto_render:
        input:
            qmd=[str(p.relative_to(paths.ROOT)) for p in CHAPTERS.values()],
            results=sorted({f for p in CHAPTERS.values() for f in wf.declared_inputs(p)}),
            book="report/_quarto.yml",
        output:
            temp(STAGED),
            site=temp(directory("build/staging/quarto")),
        params:
            year=YEAR,
            formats=FORMATS,
        log:
            "logs/quarto_render.log",
        threads: 1
        resources:
            mem_mb=2000,
            runtime=30,
        conda:
            "../envs/navrapport.yaml"
        shell:
            "python -m scripts.engine.quarto --year {params.year} {params.formats}"
            " 2> {log} || (cat {log} >&2; exit 1)"



rule guard:
    # The privacy guard reads the final bytes of every document and every intermediate
    # result; its stamp lists the checksums of exactly what it checked. The private mapping
    # is an input so that adding or changing it checks everything again.
    input:
        code="scripts/guard/privacy.py",
        mapping=wf.private_mapping(),
        results=expand("build/results/{name}.json", name=["fakta", "verktoy", "resultater", "datagrunnlag"]),
        chapters=expand("build/chapters/{chapter}.md", chapter=CHAPTERS) if ENGINE == "builtin" else [],
        site="build/staging/quarto" if ENGINE == "quarto" else [],
        staged=STAGED,
    output:
        temp("build/staging/guard.json"),
    log:
        "logs/guard.log",
    threads: 1
    resources:
        mem_mb=500,
        runtime=10,
    conda:
        "../envs/navrapport.yaml"
    shell:
        "python -m scripts.guard.privacy {input.results} {input.chapters} {input.site} {input.staged}"
        " --stamp {output} 2> {log} || (cat {log} >&2; exit 1)"


rule publish:
    input:
        "scripts/guard/publish.py",
        staged=STAGED,
        stamp="build/staging/guard.json",
    output:
        expand("build/report.{fmt}", fmt=FORMATS),
    log:
        "logs/publish.log",
    threads: 1
    resources:
        mem_mb=200,
        runtime=5,
    conda:
        "../envs/navrapport.yaml"
    shell:
        "python -m scripts.guard.publish --stamp {input.stamp} {input.staged} 2> {log} || (cat {log} >&2; exit 1)"
