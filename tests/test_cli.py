"""The command line and the Makefile, as a newcomer meets them."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from llmcamp.spec import load_spec

N_SLOS = len(load_spec().slos)

LLMCAMP = str(Path(sys.executable).parent / "llmcamp")


def cli(*args, cwd=ROOT):
    return subprocess.run([LLMCAMP, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["docs", "--help"], ["spec", "--help"], ["report", "--help"], ["serve", "--help"], ["ask", "--help"], ["flywheel", "--help"]])
def test_help(args):
    r = cli(*args)
    assert r.returncode == 0, r.stderr
    assert "usage: llmcamp" in r.stdout


def test_help_names_the_commands():
    out = cli("--help").stdout
    for cmd in ["run", "docs", "readme", "spec", "report", "profiles", "serve"]: assert re.search(rf"^\s+{cmd}\s", out, re.M), cmd
    run_help = cli("run", "--help").stdout
    for opt in ["--profile", "--only", "--workspace"]: assert opt in run_help


@pytest.mark.parametrize("args, message", [
    (["run", "--only", "42"], "unknown chapter '42'"),
    (["ask", "   "], "empty query"),
    (["run", "--profile", "laptop"], "unknown profile 'laptop'"),
    (["spec", "check", "no-such.yaml"], "no such spec file"),
    (["serve", "--model", "no-such-model"], "no model folder at no-such-model"),
])
def test_bad_input_is_a_clear_error(args, message):
    r = cli(*args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert message in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_a_chapter_without_a_notebook_is_named(tmp_path):
    "A checkout (or a learner's copy) that lacks a chapter's notebook: the chapter is named with the ones that are there."
    from llmcamp.camp import chapter_notebooks
    (tmp_path / "00_requirements.ipynb").write_text("{}")
    with pytest.raises(FileNotFoundError, match=r"chapter 11 \(evaluation\) has no notebook .* chapters here: 00 \(requirements\)"):
        chapter_notebooks(tmp_path, "00,11")


def test_run_one_chapter(tmp_path):
    ws = tmp_path / "ws"
    r = cli("run", "--only", "00", "--workspace", str(ws))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "[1/1] 00_requirements" in r.stdout and "1/1 chapters ok" in r.stdout
    assert "without encryption" not in r.stdout + r.stderr, r.stderr     # the kernel talks over IPC sockets, not plain TCP
    assert re.search(r"^00_requirements\s+ok\s+[\d.]+s\s+slos=" + str(N_SLOS) + r" count", r.stdout, re.M), r.stdout
    assert (ws / "notebooks" / "00_requirements.ipynb").exists()
    report = json.loads((ws / "camp_report.json").read_text())
    assert report["chapters"][0]["status"] == "ok" and report["chapters"][0]["figures"]["slos"]["value"] == N_SLOS
    # the report command reads the same workspace: nothing measured yet for the SLOs
    r = cli("report", "--workspace", str(ws))
    assert r.returncode == 0 and f"0 pass, 0 fail, {N_SLOS} missing" in r.stdout, r.stdout + r.stderr
    # a workspace belongs to one profile
    (ws / "workspace.json").write_text(json.dumps({"profile": "gpu"}))
    r = cli("run", "--only", "00", "--workspace", str(ws))
    assert r.returncode == 2 and "holds artifacts of profile 'gpu'" in r.stderr, r.stderr


def test_spec_init_and_check(tmp_path):
    p = tmp_path / "my_spec.yaml"
    assert cli("spec", "init", str(p)).returncode == 0
    r = cli("spec", "check", str(p))
    assert r.returncode == 0 and f"valid spec 'ask-python-docs' with {N_SLOS} SLOs" in r.stdout
    p.write_text(p.read_text().replace("target: 2, unit: s,", "target: -2, unit: s,"))
    r = cli("spec", "check", str(p))
    assert r.returncode == 2 and "slos[0] (p99_latency).target: target must not be negative" in r.stderr, r.stderr
    assert cli("spec", "init", str(p)).returncode == 2, "init must not overwrite an edited spec"
    assert "-2" in p.read_text()


def test_outside_a_checkout(tmp_path):
    r = cli("run", cwd=tmp_path)
    assert r.returncode == 2 and "no llmcamp checkout" in r.stderr, r.stderr


def _make_n(target, *extra):
    r = subprocess.run(["make", "-n", target, *extra], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_makefile_targets():
    assert "llmcamp run --profile cpu" in _make_n("camp")       # make camp: the cpu profile (the suite runs ci)
    assert "pytest" in _make_n("test")
    assert "pytest --profile gpu" in _make_n("test-gpu")
    assert (ROOT / ".ci" / "run").read_text().strip().endswith("make test")


def test_makefile_installs_cpu_torch_by_default():
    "A CPU machine must not download a multi-GB CUDA build: torch comes from a local wheel or the CPU index."
    text = (ROOT / "Makefile").read_text()
    assert "TORCH_INDEX ?= https://download.pytorch.org/whl/cpu" in text
    install = _make_n("install", "-B")
    assert install.index("--no-index") < install.index('-e ".[dev]"'), "torch must be installed before the package pulls it in"


def test_readme_quick_start_has_the_two_commands():
    text = (ROOT / "README.md").read_text()
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"^make \w+", quick, re.M) == ["make camp", "make test"]
