# llmcamp: two commands do everything on a fresh clone (Python 3.11+ on the PATH):
#   make camp   run every chapter notebook end to end (CPU profile) into workspace/
#   make test   run the full test suite
# Everything else here is for people working on the camp itself.

PYTHON  ?= python3
VENV    ?= .venv
PROFILE ?= ci
# Where torch comes from. The default is PyTorch's CPU index, so a CPU machine does not
# download a multi-GB CUDA build. On a GPU machine: make camp TORCH_INDEX=https://download.pytorch.org/whl/cu128 PROFILE=gpu
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu

PY      := $(VENV)/bin/python
TORCH   := $(shell grep -o '"torch==[^"]*"' pyproject.toml | tr -d '"')
STAMP   := $(VENV)/.installed

.PHONY: camp test test-gpu install export clean-nbs readme docs help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -c 'import sys; assert sys.version_info >= (3, 11), "llmcamp needs Python 3.11+, this is " + sys.version.split()[0]'
	$(PY) -m pip install --quiet --upgrade pip
	@# torch first: a local wheel if pip can find one offline, else the index above.
	$(PY) -m pip install --quiet --no-index --no-deps "$(TORCH)" 2>/dev/null || \
	  $(PY) -m pip install --quiet "$(TORCH)" --index-url $(TORCH_INDEX)
	$(PY) -m pip install --quiet -e ".[dev]"
	@# WordNet for chapter 01's augmentation, fetched now so nothing is downloaded at run time
	$(PY) -c "from llmcamp.data import fetch_wordnet; fetch_wordnet('$(VENV)/share/nltk_data')" || echo "warning: WordNet not installed; chapter 01 will say how to get it"
	@touch $@

install: $(STAMP)  ## create .venv and install the pinned dependencies

camp: $(STAMP)  ## run the camp end to end: every chapter, in order, CPU profile
	$(VENV)/bin/llmcamp run --profile $(PROFILE)

test: $(STAMP)  ## the full test suite (what CI runs)
	$(PY) -m pytest

test-gpu: $(STAMP)  ## the same suite with the gpu profile, on a machine with a GPU
	$(PY) -m pytest --profile gpu

export: $(STAMP)  ## write llmcamp/ from the notebooks, then README.md from nbs/index.ipynb
	$(VENV)/bin/nbdev_export
	$(VENV)/bin/llmcamp readme

clean-nbs: $(STAMP)  ## strip outputs and metadata noise from every notebook
	$(VENV)/bin/nbdev_clean --fname nbs
	$(VENV)/bin/nbdev_clean --fname exercises

readme: $(STAMP)  ## regenerate README.md from nbs/index.ipynb
	$(VENV)/bin/llmcamp readme

docs: $(STAMP)  ## build the docs site into _site/ (Quarto if installed, else offline HTML)
	$(VENV)/bin/llmcamp docs
