# Two commands set everything up on a fresh machine (see README.md):
#   make report    installs into .venv if needed, then builds build/report.html and build/report.pdf
#   make test      installs into .venv if needed, then runs the tests (minutes; one full build included)
#   make test-slow the slow tests: fault injection at every kill point, the cluster, browsers, real
#                  Quarto, every README command (docs/testing.md)
#   make mutation  mutation testing (mutmut) of scripts/analysis, scripts/guard, the data parsers and the
#                  editions' diff,
#                  one package at a time; PACKAGES="analysis" for one (docs/testing.md)
VENV := .venv

.PHONY: report test test-slow mutation

report: $(VENV)/.installed
	$(VENV)/bin/snakemake --cores 2

test: $(VENV)/.installed
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider -m "not slow"

test-slow: $(VENV)/.installed
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider -m slow

PACKAGES ?= analysis guard parsers utgave
mutation: $(VENV)/.installed
	$(VENV)/bin/python -m tests.mutation $(PACKAGES)

$(VENV)/.installed: requirements.lock pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q -r requirements.lock
	touch $@
