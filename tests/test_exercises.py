"""Exercises: each grader fails on the unsolved notebook (with a hint) and passes on the solution.

A grader cell is a code cell that calls `grade_*(...)`. The unsolved notebook's cells are executed in
order in one namespace: every grader cell must raise `ExerciseFailed`, every other cell must run.
The solutions run under papermill in test_notebooks.py, which also checks that every grader says it passed.
"""
import re

import nbformat
import pytest

from conftest import ROOT
from llmcamp.graders import ExerciseFailed

EXERCISES = sorted((ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))
GRADER = re.compile(r"^grade_\w+\(", re.M)


def _code_cells(path):
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def test_there_are_exercises():
    assert EXERCISES, "no exercise notebooks found"


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda p: p.name)
def test_each_grader_fails_unsolved(ex, monkeypatch):
    monkeypatch.chdir(ex.parent)
    ns, graders = {}, 0
    for src in _code_cells(ex):
        if GRADER.search(src):
            graders += 1
            with pytest.raises(ExerciseFailed) as e: exec(src, ns)
            assert len(str(e.value)) > 10, f"grader gave no useful hint: {e.value!r}"
        else:
            exec(src, ns)
    assert graders >= 3, f"{ex.name}: expected at least 3 graded tasks, found {graders}"
