# Report: execute each chapter in its own job (in parallel, only when its inputs change),
# then render. Quarto renders the whole book in one go when it is the engine.

if ENGINE == "builtin":

    rule chapter:
        input:
            code=["scripts/engine.py", "scripts/kernel.py", "scripts/qmd.py", "scripts/reportkit.py", "scripts/fmt.py"],
            qmd="report/{chapter}.qmd",
            results=lambda wc: pipeline.declared_inputs(CHAPTERS[wc.chapter]),
        output:
            "build/chapters/{chapter}.md",
        wildcard_constraints:
            chapter="|".join(CHAPTERS),
        conda:
            "../envs/navrapport.yaml"
        log:
            "logs/chapter/{chapter}.log",
        shell:
            "python -m scripts.step engine {input.qmd} {output} 2> {log} || (cat {log} >&2; exit 1)"

    rule render:
        input:
            code=["scripts/render.py", "scripts/privacy.py"],
            chapters=expand("build/chapters/{chapter}.md", chapter=CHAPTERS),
            book="report/_quarto.yml",
            bib="report/references.bib",
            engine=pipeline.engine_files(),
        output:
            "build/report.{fmt}",
        wildcard_constraints:
            fmt="html|pdf|docx",
        conda:
            "../envs/navrapport.yaml"
        log:
            "logs/render_{fmt}.log",
        shell:
            "python -m scripts.step render {wildcards.fmt} 2> {log} || (cat {log} >&2; exit 1)"

else:

    rule quarto_render:
        input:
            qmd=[str(p.relative_to(paths.ROOT)) for p in CHAPTERS.values()],
            results=sorted({f for p in CHAPTERS.values() for f in pipeline.declared_inputs(p)}),
            book="report/_quarto.yml",
        output:
            expand("build/report.{fmt}", fmt=FORMATS),
        conda:
            "../envs/navrapport.yaml"
        log:
            "logs/quarto_render.log",
        shell:
            f"python -m scripts.quarto --year {YEAR} {' '.join(FORMATS)}"
            " 2> {log} || (cat {log} >&2; exit 1)"
