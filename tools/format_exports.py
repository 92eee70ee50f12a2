"""Format the code the notebooks export, and check that it is formatted (`make format`; tests/test_sync.py checks).

The notebooks are the source, so the formatter runs on their `#| export` cells, not on the generated modules:
each cell goes through `ruff format` (settings in pyproject.toml's [tool.ruff]: 120 characters, quotes as written).
The formatter does not split string literals or comments, so this script does, until every line fits:
- a one-line docstring that is too long becomes a triple-quoted one wrapped at spaces (no line starting a Markdown
  list or heading, since the docs render docstrings as Markdown); long lines of a multi-line docstring are wrapped;
- any other string literal is cut into adjacent literals (the same value: Python joins them) at spaces, else before
  `|` (regular expressions), else between characters, never inside an escape or an f-string's `{...}`;
- a comment is wrapped; a trailing comment that is too long moves above its line;
- a multi-line string that is data (HTML, CSS, YAML, usage text) keeps its lines, marked `# noqa: E501`.
`check` reports cells that `ruff format --check` would change and lines over the limit (`ruff check --select E501`).

usage: python tools/format_exports.py [--check] NOTEBOOK_OR_FOLDER...
"""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import tempfile
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 120
EXPORT = re.compile(r"^#\|\s*export[si]?\b")
RUFF = [str(Path(sys.executable).parent / "ruff")]
CONFIG = ["--config", str(ROOT / "pyproject.toml")]


def ruff_format(code: str) -> str:
    "`code` as `ruff format` writes it; `ValueError` with ruff's message when it does not parse."
    r = subprocess.run(RUFF + ["format", *CONFIG, "--stdin-filename", "cell.py", "-"], input=code,
                       capture_output=True, text=True)
    if r.returncode: raise ValueError(f"ruff format failed: {r.stderr.strip()[:2000]}")
    return r.stdout


def export_cells(nb: dict) -> list[dict]:
    "The code cells of notebook JSON `nb` whose directives (first lines) include `#| export`, `exports` or `exporti`."
    out = []
    for c in nb["cells"]:
        lines = "".join(c["source"]).splitlines()
        head = [l for l in lines[:5] if l.startswith("#|")]
        if c["cell_type"] == "code" and any(EXPORT.match(l) for l in head): out.append(c)
    return out


def _split(src: str) -> tuple[str, str]:
    "(directive lines, code) of a cell's source."
    lines = src.splitlines(keepends=True)
    k = 0
    while k < len(lines) and lines[k].startswith("#|"): k += 1
    return "".join(lines[:k]), "".join(lines[k:])


def _docstring_starts(toks) -> set[int]:
    "First lines of the string tokens that are docstrings (the first statement of a def or class body)."
    out, prev = set(), []
    for k, t in enumerate(toks):
        if t.type == tokenize.STRING and prev and (prev[-1].type == tokenize.INDENT or (
                prev[-1].type == tokenize.NEWLINE and len(prev) > 1 and prev[-2].string == ":")):
            nxt = next((u for u in toks[k + 1:] if u.type not in (tokenize.COMMENT, tokenize.NL)), None)
            if nxt is not None and nxt.type == tokenize.NEWLINE: out.add(t.start[0])
        if t.type not in (tokenize.COMMENT, tokenize.NL): prev.append(t)
    return out


def _wrap(text: str, col: int, first: int, tail: int = 0) -> str:
    "`text` broken at spaces into lines that fit (the first starts at column `first`, the rest at `col`)."
    out, cur, start = [], "", first
    for w in text.split(" "):
        cand = f"{cur} {w}" if cur else w
        if start + len(cand) + tail > LIMIT and cur and not re.match(r"([-*+#>]|\d+[.)])(\s|$)", w):
            out.append(cur); cur, start = w, col
        else: cur = cand
    out.append(cur)
    return ("\n" + " " * col).join(out)


def _cut_points(body: str, f_string: bool) -> tuple[list[int], list[int], list[int]]:
    "Where a literal's source `body` can be cut in two without changing its value: after spaces, before `|`, anywhere."
    spaces, bars, anywhere, depth, i = [], [], [], 0, 0
    while i < len(body):
        ch = body[i]
        if depth == 0 and i: anywhere.append(i)
        if f_string and ch in "{}":
            if body[i + 1:i + 2] == ch: i += 2; continue                     # {{ or }}
            depth += 1 if ch == "{" else -1; i += 1; continue
        if ch == "\\":                                                        # an escape is never cut
            nxt = body[i + 1:i + 2]
            n = {"u": 6, "U": 10, "x": 4}.get(nxt, 2)
            if nxt == "N" and "}" in body[i:]: n = body.index("}", i) - i + 1
            i += n; continue
        if depth == 0 and ch == "|": bars.append(i)
        if depth == 0 and ch == " ": spaces.append(i + 1)
        i += 1
    return spaces, bars, anywhere


def _cut_literal(prefix: str, q: str, body: str, width: int) -> str | None:
    "The literal as adjacent literals of at most about `width` characters each; None when it cannot be cut."
    spaces, bars, anywhere = _cut_points(body, "f" in prefix.lower())
    pieces, start = [], 0
    while len(body) - start > width:
        cut = None
        for pts in (spaces, bars, anywhere):
            cut = max((p for p in pts if start + width // 3 < p <= start + width), default=None)
            if cut is not None: break
        if cut is None or cut >= len(body): break
        pieces.append(body[start:cut]); start = cut
    pieces.append(body[start:])
    if len(pieces) < 2: return None
    plain = prefix.replace("f", "").replace("F", "")
    return " ".join((prefix if "{" in p else plain) + q + p + q for p in pieces)


def split_long_strings(code: str) -> tuple[str, int]:
    "Rewrite the string literals on lines longer than LIMIT (see the module's docstring). Returns (code, literals changed)."
    lines = code.splitlines()
    toks = list(tokenize.generate_tokens(io.StringIO(code).readline))
    docs, edits = _docstring_starts(toks), []
    for t in toks:
        if t.type != tokenize.STRING: continue
        (r0, c0), (r1, _) = t.start, t.end
        if r0 != r1:                                                          # a multi-line docstring: wrap its long lines
            if r0 in docs and any(len(lines[k - 1]) > LIMIT for k in range(r0, r1 + 1)):
                parts = t.string.split("\n")
                new = [_wrap(p, c0, c0) if i == 0 else
                       p[:len(p) - len(p.lstrip())] + _wrap(p.lstrip(), len(p) - len(p.lstrip()), len(p) - len(p.lstrip()))
                       for i, p in enumerate(parts)]
                if new != parts: edits.append((t.start, t.end, "\n".join(new)))
            continue
        if len(lines[r0 - 1]) <= LIMIT: continue
        m = re.match(r"([rRbBfFuU]{0,2})('''|\"\"\"|'|\")", t.string)
        prefix, q = m[1], m[2]
        body = t.string[len(prefix) + len(q):-len(q)]
        if r0 in docs and len(q) == 1 and "f" not in prefix.lower() and '"""' not in body and not body.endswith('"'):
            edits.append((t.start, t.end, f'{prefix}"""{_wrap(body, c0, c0 + len(prefix) + 3, tail=3)}"""'))
        elif (new := _cut_literal(prefix, q, body, max(40, LIMIT - c0 - 8 - len(prefix) - 2 * len(q)))) is not None:
            edits.append((t.start, t.end, new))
    starts = [0]
    for l in code.splitlines(keepends=True): starts.append(starts[-1] + len(l))
    at = lambda pos: starts[pos[0] - 1] + pos[1]
    for s, e, new in sorted(edits, key=lambda x: at(x[0]), reverse=True): code = code[:at(s)] + new + code[at(e):]
    return code, len(edits)


def fix_comments_and_data(code: str) -> str:
    "Wrap comments past LIMIT (a trailing one moves above its line); mark multi-line data strings with long lines `# noqa: E501`."
    lines = code.splitlines()
    toks = list(tokenize.generate_tokens(io.StringIO(code + "\n").readline))
    docs = _docstring_starts(toks)
    data_ends = {t.end[0] for t in toks if t.type == tokenize.STRING and t.start[0] != t.end[0] and t.start[0] not in docs
                 and any(len(lines[k - 1]) > LIMIT for k in range(t.start[0], t.end[0] + 1))}
    comments = {t.start[0]: t for t in toks if t.type == tokenize.COMMENT}
    out = []
    for i, line in enumerate(lines, 1):
        if i in data_ends and "noqa" not in line: line += "  # noqa: E501"
        c = comments.get(i)
        if len(line) > LIMIT and c is not None and "noqa" not in c.string:
            code_part = line[:c.start[1]].rstrip()
            ind = len(line) - len(line.lstrip()) if code_part else c.start[1]
            text = c.string[1:].strip()
            out += [" " * ind + "# " + w.strip() for w in _wrap(text, ind + 2, ind + 2).split("\n")]
            if code_part: out.append(code_part)
            continue
        out.append(line)
    return "\n".join(out) + "\n"


def format_cell(src: str) -> str:
    "A cell's source with its code formatted and every line within LIMIT where that is possible; directives unchanged."
    head, code = _split(src)
    for _ in range(6):                     # until nothing changes: the formatter may re-indent what was just moved
        before = code
        code, _n = split_long_strings(ruff_format(code))
        code = ruff_format(fix_comments_and_data(code))
        if code == before: break
    return head + code.rstrip("\n")


def notebooks(paths) -> list[Path]:
    out = []
    for p in map(Path, paths): out += sorted(p.rglob("*.ipynb")) if p.is_dir() else [p]
    return [p for p in out if ".ipynb_checkpoints" not in p.parts]


def format_notebooks(paths) -> list[Path]:
    "Format the export cells of the notebooks in `paths` in place; returns the notebooks that changed."
    changed = []
    for p in notebooks(paths):
        nb = json.loads(p.read_text(encoding="utf-8")); n = 0
        for c in export_cells(nb):
            src = "".join(c["source"])
            if (new := format_cell(src)) != src: c["source"] = new.splitlines(keepends=True); n += 1
        if n:
            p.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"); changed.append(p)
    return changed


def check(paths) -> list[str]:
    "Problems in the export cells of the notebooks in `paths`: cells `ruff format` would change, lines over LIMIT."
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        names = {}
        for p in notebooks(paths):
            for k, c in enumerate(export_cells(json.loads(p.read_text(encoding="utf-8")))):
                f = Path(tmp) / f"{p.stem.replace('.', '_')}__{k}.py"
                f.write_text(_split("".join(c["source"]))[1] + "\n", encoding="utf-8")
                names[f.name] = f"{p} (export cell {k + 1}, id {c.get('id', '?')})"
        r = subprocess.run(RUFF + ["format", "--check", "--output-format", "concise", *CONFIG, tmp], capture_output=True, text=True)
        problems += [f"{names[Path(m).name]}: not formatted" for m in re.findall(r"^(\S+?\.py):\d+:\d+: unformatted", r.stdout, re.M)]
        if r.returncode not in (0, 1) or (r.returncode == 1 and not problems): raise RuntimeError(f"ruff format --check: {r.stdout}{r.stderr}")
        r = subprocess.run(RUFF + ["check", "--select", "E501", "--output-format", "concise", "--no-cache", *CONFIG, tmp],
                           capture_output=True, text=True)
        for m in re.finditer(r"^(\S+?\.py):(\d+):\d+: E501 (.*)$", r.stdout, re.M):
            problems.append(f"{names[Path(m[1]).name]}, line {m[2]} of its code: {m[3]}")
    return problems


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--check"]:
        probs = check(args[1:] or [ROOT / "nbs"])
        print("\n".join(probs) or "every export cell is formatted")
        sys.exit(1 if probs else 0)
    for p in format_notebooks(args or [ROOT / "nbs"]): print(f"formatted {p}")
