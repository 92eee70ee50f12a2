"""Shared test set-up: the `--profile` option, one workspace for the session, and per-notebook times."""
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TIMES: dict[str, float] = {}


def pytest_addoption(parser):
    parser.addoption("--profile", default="ci", help="hardware profile the notebooks run with: ci (default) or gpu")


def pytest_configure(config):
    "The tests run in the profile's environment, as `llmcamp run` runs each notebook (on the CPU: Triton's interpreter), set before anything imports triton."
    from llmcamp.camp import notebook_env
    os.environ.update(notebook_env(config.getoption("--profile")))


@pytest.fixture(scope="session")
def profile(request) -> str:
    return request.config.getoption("--profile")


@pytest.fixture(scope="session")
def workspace(tmp_path_factory, profile) -> Path:
    "One workspace for the whole session, so a chapter finds what earlier chapters built."
    return tmp_path_factory.mktemp(f"workspace-{profile}")


def pytest_terminal_summary(terminalreporter):
    if not TIMES: return
    terminalreporter.section("notebook times")
    for name, s in TIMES.items(): terminalreporter.write_line(f"{s:8.1f}s  {name}")
    terminalreporter.write_line(f"{sum(TIMES.values()):8.1f}s  total")
