# Report: execute each chapter in its own job (in parallel, only when its inputs change),
# render the documents into build/staging/, check their final bytes, then publish them to
# build/report.*. Snakemake deletes a job's outputs before it runs, so nothing but the
# last step writes build/report.*: a failed chapter, render or guard leaves the previous
# report as it was.
STAGED = expand("build/staging/report.{fmt}", fmt=FORMATS)
# What `publish` produces for Snakemake: the list of what it published (see rule publish). When
# the reports were deleted or replaced since, the workflow asks for the receipt's other name, so
# they are published again (scripts/guard/publish.py, receipt_target).
RECEIPT = str(receipt_target(paths.BUILD / "staging" / "published").relative_to(paths.ROOT))

if ENGINE == "builtin":

    rule chapter:
        input:
            code=wf.code("scripts.engine.execute", "scripts.content.reportkit"),
            qmd="report/{chapter}.qmd",
            results=lambda wc: wf.declared_inputs(CHAPTERS[wc.chapter]),
        output:
            md="build/chapters/{chapter}.md",
            # The figures the chapter shows (empty when it draws none).
            figures=directory("build/chapters/{chapter}.figures"),
        wildcard_constraints:
            chapter="|".join(CHAPTERS),
        log:
            "logs/chapter/{chapter}.log",
        benchmark:
            "logs/benchmarks/chapter/{chapter}.tsv",
        conda:
            "../envs/navrapport.yaml"
        shell:
            "python -m scripts.engine.execute {input.qmd} {output.md} 2> {log}"

    rule render:
        # Before the guard of the intermediates: the PDF is the longest step left.
        priority: 1
        input:
            code=wf.code("scripts.engine.render"),
            chapters=expand("build/chapters/{chapter}.{part}", chapter=CHAPTERS, part=["md", "figures"]),
            book=["report/_quarto.yml", *(f"report/_quarto-{p}.yml" for p in PROFILES)],
            bib="report/references.bib",
            engine=wf.engine_files(),
        output:
            temp("build/staging/report.{fmt}"),
        wildcard_constraints:
            fmt="html|pdf|docx",
        params:
            # The appendix on changes since the previous edition, when there is one (Snakefile, PROFILES).
            profiles=" ".join(f"--profil {p}" for p in PROFILES),
        log:
            "logs/render_{fmt}.log",
        benchmark:
            "logs/benchmarks/render_{fmt}.tsv",
        resources:
            mem_mb=500,
            runtime=10,
        conda:
            "../envs/navrapport.yaml"
        shell:
            "python -m scripts.engine.render {wildcards.fmt} {params.profiles} 2> {log}"


else:

    rule quarto_render:
        # `quarto render report` as a Quarto user runs it, once per format, into build/staging/.
        input:
            code=wf.code("scripts.engine.quarto", "scripts.content.reportkit"),
            qmd=[str(p.relative_to(paths.ROOT)) for p in CHAPTERS.values()],
            results=sorted({f for p in CHAPTERS.values() for f in wf.declared_inputs(p)}),
            book=["report/_quarto.yml", *(f"report/_quarto-{p}.yml" for p in PROFILES)],
            bib="report/references.bib",
            engine=wf.engine_files(),
        output:
            temp(STAGED),
            site=temp(directory("build/staging/quarto")),
        params:
            formats=FORMATS,
            profiles=" ".join(f"--profil {p}" for p in PROFILES),
        log:
            "logs/quarto_render.log",
        benchmark:
            "logs/benchmarks/quarto_render.tsv",
        resources:
            mem_mb=2000,
            runtime=30,
        conda:
            "../envs/navrapport.yaml"
        shell:
            "python -m scripts.engine.quarto {params.formats} {params.profiles} 2> {log}"


# Everything the guard reads besides the documents: every intermediate a chapter reads (results
# and figures, from the chapters' front matter), and what the engine runs: the executed chapters
# (built-in engine, with the figures they show) or the chapter sources (Quarto).
GUARDED = sorted(
    {f for p in CHAPTERS.values() for f in wf.declared_inputs(p) if f.startswith("build/")}
    | set(expand("build/results/{name}.json", name=["fakta", "verktoy", "resultater", "datagrunnlag"]))
    # This edition as data, and the changes since the previous one (rules/utgave.smk).
    | {"build/utgave/utgave.json", *(["build/endringer.csv"] if PREVIOUS else [])}
)
# What the guard's verdict depends on. Also inputs of `publish`: the guard's stamp is a temp file,
# so a new or changed mapping, allow-list or guard must make the published report out of date itself.
GUARD_RULES = [*wf.code("scripts.guard.privacy"), "config/privacy_allow.yaml"]


rule guard_intermediates:
    # The privacy guard over every intermediate the documents are made from, while they are
    # rendered: every result and figure a chapter reads, and the executed chapters (built-in
    # engine) or the chapter sources (Quarto). Its stamp lists the checksums of what it checked.
    # The private mapping is an input so that adding or changing it checks everything again
    # (only its path is named; its content is read by the guard and written nowhere).
    input:
        code=GUARD_RULES,
        mapping=wf.private_mapping(),
        results=GUARDED,
        chapters=(
            expand("build/chapters/{chapter}.{part}", chapter=CHAPTERS, part=["md", "figures"])
            if ENGINE == "builtin"
            else [str(p.relative_to(paths.ROOT)) for p in CHAPTERS.values()]
        ),
    output:
        temp("build/staging/guard_intermediates.json"),
    log:
        "logs/guard_intermediates.log",
    benchmark:
        "logs/benchmarks/guard_intermediates.tsv",
    resources:
        mem_mb=500,
        runtime=10,
    conda:
        "../envs/navrapport.yaml"
    shell:
        "python -m scripts.guard.privacy {input.results} {input.chapters}"
        " --stamp {output} 2> {log}"


rule guard:
    # The privacy guard over the final bytes of every document (and the Quarto site), after
    # rendering. Publish copies exactly the bytes this stamp lists, and only when the
    # intermediates were checked too.
    input:
        code=GUARD_RULES,
        mapping=wf.private_mapping(),
        site="build/staging/quarto" if ENGINE == "quarto" else [],
        staged=STAGED,
    output:
        temp("build/staging/guard.json"),
    log:
        "logs/guard.log",
    benchmark:
        "logs/benchmarks/guard.tsv",
    resources:
        mem_mb=500,
        runtime=10,
    conda:
        "../envs/navrapport.yaml"
    shell:
        "python -m scripts.guard.privacy {input.site} {input.staged}"
        " --stamp {output} 2> {log}"


rule publish:
    input:
        wf.code("scripts.guard.publish"),
        GUARD_RULES,
        wf.private_mapping(),
        staged=STAGED,
        # Quarto's website, published beside the documents (a temp output: deleted once published).
        site="build/staging/quarto" if ENGINE == "quarto" else [],
        stamp="build/staging/guard.json",
        intermediates="build/staging/guard_intermediates.json",
    output:
        # A receipt, not build/report.*: Snakemake deletes a job's outputs before it runs and
        # after it fails, which would cost the last good report whenever publishing itself
        # failed (a full disk, no write access). The script swaps in the whole new set or
        # nothing (scripts/guard/publish.py) and writes the receipt last.
        RECEIPT,
    log:
        "logs/publish.log",
    benchmark:
        "logs/benchmarks/publish.tsv",
    conda:
        "../envs/navrapport.yaml"
    shell:
        "python -m scripts.guard.publish --stamp {input.stamp} --receipt {output} {input.staged} 2> {log}"
