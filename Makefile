# llmcamp: two commands do everything on a fresh clone (Python 3.11+ on the PATH):
#   make camp   run every chapter notebook end to end (profile cpu) into workspace/cpu/
#   make test   run the full test suite
# Everything else here is for people working on the camp itself.

PYTHON  ?= python3
VENV    ?= .venv
PROFILE ?= cpu
# Where torch comes from. The default is PyTorch's CPU index, so a CPU machine does not
# download a multi-GB CUDA build. On a GPU machine: make camp TORCH_INDEX=https://download.pytorch.org/whl/cu128 PROFILE=gpu
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu

PY      := $(VENV)/bin/python
TORCH   := $(shell grep -o '"torch==[^"]*"' pyproject.toml | tr -d '"')
STAMP   := $(VENV)/.installed

.PHONY: camp test test-gpu install export format clean-nbs readme docs lab help wheels bench-quant gpu-check stress-dist

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

$(STAMP): pyproject.toml Makefile
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -c 'import sys; assert sys.version_info >= (3, 11), "llmcamp needs Python 3.11+, this is " + sys.version.split()[0]'
	$(PY) -m pip install --quiet --upgrade pip
	@# torch first: a local wheel if pip can find one offline, else the index above.
	$(PY) -m pip install --quiet --no-index --no-deps "$(TORCH)" 2>/dev/null || \
	  $(PY) -m pip install --quiet "$(TORCH)" --index-url $(TORCH_INDEX)
	$(PY) -m pip install --quiet -e ".[dev]"
	@# Debian's servers and browser the tests drive for real (no download at run time): chromium for the
	@# browser tests, redis-server for chapter 08's shared cache, prometheus and promtool for chapter 11.
	@# apt-get, as root, only for what is missing; otherwise a warning naming the command (a skip, which fails under CI=true).
	@missing=""; for pair in chromium:chromium redis-server:redis-server prometheus:prometheus promtool:prometheus; do \
	  command -v $${pair%%:*} >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; done; \
	[ -z "$$missing" ] || { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing fonts-liberation >/dev/null; } || \
	  echo "warning: not installed:$$missing (apt-get install$$missing, as root); the tests that need them skip (fail under CI=true)"
	@# WordNet for chapter 01's augmentation, fetched now so nothing is downloaded at run time
	$(PY) -c "from llmcamp.data import fetch_wordnet; fetch_wordnet('$(VENV)/share/nltk_data')" || echo "warning: WordNet not installed; chapter 01 will say how to get it"
	@touch $@

install: $(STAMP)  ## create .venv and install the pinned dependencies

camp: $(STAMP)  ## run the camp end to end: every chapter, in order, profile cpu (under 30 minutes on 2 cores)
	$(VENV)/bin/llmcamp run --profile $(PROFILE)

test: $(STAMP)  ## the full test suite (what CI runs)
	$(PY) -m pytest

test-gpu: $(STAMP)  ## the same suite with the gpu profile, on a machine with a GPU
	$(PY) -m pytest --profile gpu

export: $(STAMP)  ## write llmcamp/ from the notebooks, then README.md from nbs/index.ipynb
	$(VENV)/bin/nbdev_export
	$(VENV)/bin/llmcamp readme

format: $(STAMP)  ## format the notebooks' export cells (ruff, 120 characters; tools/format_exports.py), then export
	$(PY) tools/format_exports.py nbs
	$(VENV)/bin/nbdev_export

clean-nbs: $(STAMP)  ## strip outputs and metadata noise from every notebook
	$(VENV)/bin/nbdev_clean --fname nbs
	$(VENV)/bin/nbdev_clean --fname exercises

readme: $(STAMP)  ## regenerate README.md from nbs/index.ipynb
	$(VENV)/bin/llmcamp readme

docs: $(STAMP)  ## build the docs site into _site/ (Quarto if installed, else offline HTML)
	$(VENV)/bin/llmcamp docs

LAB_ARGS ?=
lab: $(STAMP)  ## open the notebooks in JupyterLab, with .venv as the kernel "llmcamp (.venv)" (LAB_ARGS="--no-browser --port 8899")
	$(PY) -m ipykernel install --sys-prefix --name llmcamp --display-name "llmcamp (.venv)"
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/nbs --KernelManager.transport=ipc $(LAB_ARGS)

# Offline GPU nodes (chapter 06). On a machine with internet, download every wheel the camp needs
# for the node's Python and platform; copy wheelhouse/ to the node and install from it there:
#   make wheels PY_VERSION=3.11 PLATFORM=manylinux_2_28_x86_64
#   PIP_NO_INDEX=1 PIP_FIND_LINKS=$PWD/wheelhouse/cp311-manylinux_2_28_x86_64 make install
# torch is PyPI's Linux build, which is the CUDA one (`===` refuses a local +cpu wheel); for another CUDA:
#   make wheels WHEELS_INDEX=https://download.pytorch.org/whl/cu128 WHEELS_TORCH=torch==2.13.0+cu128
PY_VERSION   ?= 3.11
PLATFORM     ?= manylinux_2_28_x86_64
WHEELS_INDEX ?=
WHEELS_TORCH ?= $(subst ==,===,$(TORCH))
WHEELHOUSE   := wheelhouse/cp$(subst .,,$(PY_VERSION))-$(PLATFORM)

wheels: $(STAMP)  ## download wheels for PY_VERSION and PLATFORM into wheelhouse/ (air-gapped GPU nodes)
	@mkdir -p $(WHEELHOUSE)
	$(PY) -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb")); print("\n".join(["pip", *p["build-system"]["requires"], "$(WHEELS_TORCH)", *[d for d in p["project"]["dependencies"] if not d.startswith("torch=")], *p["project"]["optional-dependencies"]["dev"]]))' > $(WHEELHOUSE)/requirements.txt
	@# pip takes the platform tag literally: a manylinux_2_28 node also runs manylinux_2_17..2_27 wheels, so name them all
	$(PY) -m pip download --quiet --dest $(WHEELHOUSE) --only-binary=:all: --python-version $(PY_VERSION) \
	  $$($(PY) -c 'import re, sys; p = sys.argv[1]; m = re.fullmatch(r"manylinux_2_(\d+)_(\w+)", p); print(" ".join("--platform " + t for t in ([f"manylinux_2_{y}_{m[2]}" for y in range(int(m[1]), 16, -1)] + [f"manylinux2014_{m[2]}"] if m else [p])))' $(PLATFORM)) \
	  $(if $(WHEELS_INDEX),--extra-index-url $(WHEELS_INDEX)) -r $(WHEELHOUSE)/requirements.txt
	@du -sh $(WHEELHOUSE); echo "install on the node: PIP_NO_INDEX=1 PIP_FIND_LINKS=\$$PWD/$(WHEELHOUSE) make install"

stress-dist: $(STAMP)  ## 40 two-process launches of chapter 04 (DDP, FSDP, accelerate, 2 nodes; ~15 min on 2 cores): prints failures of 40, fails if any
	$(PY) -c 'from llmcamp.train import stress_main; stress_main(40)'

bench-quant: $(STAMP)  ## chapter 06's kernel benchmark alone, on a GPU: table and roofline into workspace/gpu/06_quantization
	$(PY) -c 'from llmcamp.quant import bench_main; bench_main("gpu")'

# Every GPU claim of chapters 03, 04, 06 and 07 in one run (< 8 min on one H100/H200), one report; STEPS=kernels,bench runs a subset.
# Without a GPU it says so and exits 2 (the CPU version runs in the test suite: nbs/internals/gpu_check.ipynb).
gpu-check: $(STAMP)  ## on a GPU: kernels (fp16, bf16), kernel benchmark, training MFU, serving sweep, HF parity -> workspace/gpu/gpu_check/gpu_check.md
	$(PY) -c 'import sys; from llmcamp.gpu_check import main; sys.exit(main(sys.argv[1:]))' $(if $(STEPS),--steps $(STEPS))
