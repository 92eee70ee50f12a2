"""Every notebook runs end to end under papermill with the chosen profile, through the same
`run_notebook` that `llmcamp run` uses; a failing cell fails the test with the cell's error."""
import pytest

from conftest import ROOT, TIMES
from llmcamp.camp import notebook_env, run_notebook


def _notebooks():
    nbs = sorted(p for p in (ROOT / "nbs").rglob("*.ipynb") if not any(part.startswith((".", "_")) for part in p.relative_to(ROOT).parts))
    # chapters first, in order (later chapters reuse what earlier ones left in the workspace)
    nbs.sort(key=lambda p: (not p.name[:2].isdigit(), p.name))
    return nbs + sorted((ROOT / "exercises" / "solutions").glob("*.ipynb"))


@pytest.mark.parametrize("nb", _notebooks(), ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_runs(nb, profile, workspace):
    name = str(nb.relative_to(ROOT))
    out = workspace / "notebooks" / name
    run = run_notebook(nb, out, {"profile": profile, "workspace": str(workspace)}, notebook_env(profile))
    TIMES[name] = run.seconds
    assert run.status == "ok", f"{name} failed; executed copy at {run.output}\n{run.error}"


def test_every_chapter_is_collected():
    names = [p.name for p in _notebooks()]
    for nb in (ROOT / "nbs").glob("[0-9][0-9]_*.ipynb"): assert nb.name in names
