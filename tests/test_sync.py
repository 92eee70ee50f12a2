"""The notebooks are the source: exporting and cleaning them must not change any file, and
README.md must be what nbs/index.ipynb generates."""
import filecmp
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

BIN = Path(sys.executable).parent


def _copy(dst: Path):
    for f in ["settings.ini", "pyproject.toml"]: shutil.copy(ROOT / f, dst / f)
    for d in ["nbs", "exercises", "llmcamp"]: shutil.copytree(ROOT / d, dst / d, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))


def _diff(a: Path, b: Path) -> list[str]:
    "Files that differ, or exist on one side only, between trees `a` and `b`."
    c = filecmp.dircmp(a, b, ignore=["__pycache__", ".ipynb_checkpoints"])
    out = [str(Path(a.name) / f) for f in c.diff_files + c.left_only + c.right_only]
    for sub in c.common_dirs: out += [str(Path(a.name) / p) for p in _diff(a / sub, b / sub)]
    return out


def _run(cmd, cwd):
    env = {k: v for k, v in __import__("os").environ.items() if k != "IN_TEST"}  # IN_TEST turns nbdev_export off
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    assert r.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{r.stdout}\n{r.stderr}"


def test_export_and_clean_change_nothing(tmp_path):
    _copy(tmp_path)
    _run([BIN / "nbdev_export"], tmp_path)
    _run([BIN / "nbdev_clean", "--fname", "nbs"], tmp_path)
    _run([BIN / "nbdev_clean", "--fname", "exercises"], tmp_path)
    changed = [f for d in ["nbs", "exercises", "llmcamp"] for f in _diff(ROOT / d, tmp_path / d)]
    assert not changed, "run `make export clean-nbs` and commit; these files change: " + ", ".join(changed)


def test_sync_check_catches_a_hand_edit(tmp_path):
    "The check above must fail when a generated module is edited by hand."
    _copy(tmp_path)
    edited = tmp_path / "llmcamp" / "spec.py"
    edited.write_text(edited.read_text() + "\nx = 1  # edited by hand\n")
    before = tmp_path / "before"; shutil.copytree(tmp_path / "llmcamp", before)
    _run([BIN / "nbdev_export"], tmp_path)
    assert _diff(before, tmp_path / "llmcamp"), "export should overwrite a hand edit"


def test_readme_is_generated_from_index():
    from llmcamp.docs import write_readme
    assert write_readme(ROOT, check=True), "README.md is out of date: run `llmcamp readme` (or `make export`)"


def _format_tool():
    import importlib.util
    spec = importlib.util.spec_from_file_location("format_exports", ROOT / "tools" / "format_exports.py")
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    return mod


def test_exported_code_is_formatted(tmp_path):
    "Every export cell is as `make format` leaves it: `ruff format`ted, no line over 120 characters; the check catches both faults."
    fmt = _format_tool()
    problems = fmt.check([ROOT / "nbs"])
    assert not problems, "run `make format` (then `make export`); " + "\n".join(problems[:20])
    import nbformat
    cells = [nbformat.v4.new_code_cell("#| export\nx=1"), nbformat.v4.new_code_cell("#| export\ny = '" + "a" * 130 + "'"),
             nbformat.v4.new_code_cell("#| export\nz = 1"), nbformat.v4.new_code_cell("w=2  # not exported: not checked")]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), tmp_path / "bad.ipynb")
    found = fmt.check([tmp_path / "bad.ipynb"])
    assert len(found) == 2 and "export cell 1" in found[0] and "not formatted" in found[0] and "too long" in found[1], found
    fmt.format_notebooks([tmp_path / "bad.ipynb"])                   # the formatter fixes what the check found
    assert fmt.check([tmp_path / "bad.ipynb"]) == []
