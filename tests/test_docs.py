"""The docs site and README builders of `llmcamp.docs`: the real repository's site, fake projects for the failure modes,
and both sites in headless Chromium (Playwright's Python package driving Debian's `chromium`, which `make install` installs)."""
import ast, base64, functools, http.server, io, os, shutil, threading, time
from pathlib import Path

import nbformat, pytest, yaml

from llmcamp.camp import run_notebook
from llmcamp.docs import README_WARNING, SiteError, build_site, check_site, render_readme, sidebar, write_readme

ROOT = Path(__file__).resolve().parents[1]
md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell


def fake_project(path, notebooks, sections):
    "A minimal project at `path`: `notebooks` maps a path to its cells, `sections` maps a section (None: top level) to its pages."
    path.mkdir(parents=True, exist_ok=True)
    (path/'settings.ini').write_text('[DEFAULT]\nlib_name = fake\n')
    contents = list(sections.get(None, [])) + [{'section': s, 'contents': ps} for s, ps in sections.items() if s]
    (path/'_quarto.yml').write_text(yaml.safe_dump({'website': {'title': 'fake', 'sidebar': {'contents': contents}}}))
    for rel, cells in notebooks.items():
        (path/rel).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nbformat.v4.new_notebook(cells=cells), path/rel)
    return path


@pytest.fixture(scope='module')
def site(tmp_path_factory):
    t = time.time()
    out = build_site(ROOT, tmp_path_factory.mktemp('docs')/'_site', engine='html')
    print(f"built the site in {time.time() - t:.1f} s")
    return out


# --- the real repository -------------------------------------------------------------

def test_every_chapter_and_exercise_is_in_the_sidebar_and_built(site):
    listed = {p for _, p in sidebar(ROOT)}
    numbered = sorted(ROOT.glob('nbs/[0-9][0-9]_*.ipynb')) + sorted(ROOT.glob('exercises/[0-9][0-9]_*.ipynb'))
    missing = [n.relative_to(ROOT).as_posix() for n in numbered if n.relative_to(ROOT) not in listed]
    assert not missing, f"add these to website.sidebar.contents in _quarto.yml: {missing}"
    for n in numbered: assert (site/n.relative_to(ROOT).with_suffix('.html')).is_file(), n


def test_every_sidebar_page_has_a_page_with_the_whole_sidebar(site):
    pages = sidebar(ROOT)
    assert (site/'index.html').is_file() and (site/'site.css').is_file()
    for _, p in pages:
        nav = (site/p.with_suffix('.html')).read_text().split('<main>')[0]
        assert nav.count('aria-current="page"') == 1, p
        assert nav.count('<a href=') == len(pages), p   # every sidebar entry, and no other link, in the sidebar


def test_site_links_resolve(site):
    assert check_site(site, ROOT) == []


# --- fake projects ---------------------------------------------------------------------

@pytest.fixture
def fake(tmp_path):
    return fake_project(tmp_path/'proj', {
        'nbs/index.ipynb': [md('# Home\n\nStart with [chapter one](nbs/01_one.ipynb).')],
        'nbs/01_one.ipynb': [md('# One\n\n[Home](index.ipynb), [the exercise](../exercises/01_one.ipynb), [missing](02_two.ipynb#top).'),
                             code('#| export\ndef f(x) -> int:\n    "Double `x`."\n    return 2*x'),
                             code('#| hide\nhidden_setup = 1')],
        'exercises/01_one.ipynb': [md('# Exercise one\n\nBack to [the chapter](../nbs/01_one.ipynb).')]},
        {None: ['nbs/index.ipynb'], 'Chapters': ['nbs/01_one.ipynb'], 'Exercises': ['exercises/01_one.ipynb']})


def test_sidebar_order_and_sections(fake):
    assert sidebar(fake) == [(None, Path('nbs/index.ipynb')), ('Chapters', Path('nbs/01_one.ipynb')),
                             ('Exercises', Path('exercises/01_one.ipynb'))]


def test_sidebar_errors_name_the_file_and_entry(fake, tmp_path):
    cfg = yaml.safe_load((fake/'_quarto.yml').read_text())
    cfg['website']['sidebar']['contents'].append('nbs/99_typo.ipynb')
    (fake/'_quarto.yml').write_text(yaml.safe_dump(cfg))
    with pytest.raises(FileNotFoundError, match='99_typo'): sidebar(fake)
    (fake/'_quarto.yml').write_text('project:\n  type: website\n')
    with pytest.raises(ValueError, match='_quarto.yml'): sidebar(fake)
    with pytest.raises(FileNotFoundError, match='_quarto.yml'): sidebar(tmp_path)


def test_broken_link_is_reported_and_good_links_are_not(fake):
    site = build_site(fake, engine='html')
    assert site == fake.resolve()/'_site'
    assert check_site(site, fake) == ["nbs/01_one.html: link '02_two.html#top': no such file"]
    (site/'exercises/01_one.html').unlink()
    problems = check_site(site, fake)
    assert any(p.startswith('exercises/01_one.ipynb: sidebar page has no') for p in problems)
    assert "nbs/01_one.html: link '../exercises/01_one.html': no such file" in problems


def test_pages_hide_cells_strip_directives_and_document_exports(fake):
    site = build_site(fake, engine='html')
    one = (site/'nbs/01_one.html').read_text()
    assert 'hidden_setup' not in one and '#|' not in one
    assert '<a class="api-name" href="#f"><code>def f(x) -&gt; int</code></a>' in one         # an anchor per name
    assert '<div class="api-doc"><p>Double <code>x</code>.</p></div>' in one                    # the docstring as Markdown
    assert '<a href="nbs/01_one.html#f"><code>f</code></a>' in (site/'api.html').read_text()  # and in the API index
    assert '<a href="01_one.html" class="current" aria-current="page">One</a>' in one
    assert 'href="01_one.html">chapter one' in (site/'nbs/index.html').read_text()  # the README page's links are root-relative


def test_executed_copy_is_rendered(fake, tmp_path):
    nb = nbformat.read(fake/'nbs/01_one.ipynb', as_version=4)
    nb.cells[1].outputs = [nbformat.v4.new_output('stream', name='stdout', text='measured 42 tokens/s\n')]
    (tmp_path/'executed').mkdir(); nbformat.write(nb, tmp_path/'executed/01_one.ipynb')
    site = build_site(fake, executed=tmp_path/'executed', engine='html')
    assert 'measured 42 tokens/s' in (site/'nbs/01_one.html').read_text()
    assert 'measured' not in (site/'exercises/01_one.html').read_text()


def test_rebuild_removes_stale_files_but_never_a_foreign_folder(fake):
    site = build_site(fake, engine='html')
    (site/'stale.html').write_text('old')
    build_site(fake, engine='html')
    assert not (site/'stale.html').exists()
    with pytest.raises(FileExistsError, match='refusing'): build_site(fake, out=fake/'nbs', engine='html')
    assert (fake/'nbs/index.ipynb').is_file()
    with pytest.raises(ValueError, match='engine'): build_site(fake, engine='pdf')


def test_readme_rendering(tmp_path):
    proj = fake_project(tmp_path/'r', {'nbs/index.ipynb': [
        md('# fake\n\n> Tagline.'), code('#| hide\nimport secret_module'),
        code('#| echo: true\nprint("hi")', outputs=[nbformat.v4.new_output('stream', name='stdout', text='hi\n')]),
        code('x = 1')]}, {None: ['nbs/index.ipynb']})
    text = render_readme(proj)
    assert text.startswith(README_WARNING + '\n\n# fake\n\n> Tagline.\n\n')
    assert '```python\nprint("hi")\n```\n\n```\nhi\n```\n\n```python\nx = 1\n```\n' in text
    assert 'secret_module' not in text and '#|' not in text
    assert render_readme(proj) == text


def test_readme_check_mode_detects_a_stale_readme(tmp_path):
    proj = fake_project(tmp_path/'r', {'nbs/index.ipynb': [md('# fake\n\nVersion one.')]}, {None: ['nbs/index.ipynb']})
    assert write_readme(proj, check=True) is False          # no README yet
    assert not (proj/'README.md').exists()                  # check mode writes nothing
    assert write_readme(proj) is True and write_readme(proj) is False
    assert write_readme(proj, check=True) is True
    nb = nbformat.read(proj/'nbs/index.ipynb', as_version=4)
    nb.cells[0].source = '# fake\n\nVersion two.'
    nbformat.write(nb, proj/'nbs/index.ipynb')
    assert write_readme(proj, check=True) is False
    assert 'Version one' in (proj/'README.md').read_text()


# --- what a reader must not see ------------------------------------------------------------

@pytest.fixture(scope='module')
def failed_run(tmp_path_factory):
    "A real papermill run of a small notebook whose third code cell raises: the executed copy, with its error banner and traceback."
    d = tmp_path_factory.mktemp('failed')
    nb = nbformat.v4.new_notebook(cells=[md('# One'), code('x = 1', metadata={'tags': ['parameters']}), code('print(x)'), code('1/0'), code('print("after")')],
                                  metadata={'kernelspec': {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}})
    nbformat.write(nb, d/'src.ipynb')
    run = run_notebook(d/'src.ipynb', d/'executed/01_one.ipynb', {'x': 2})
    assert run.status == 'failed', run
    return d/'executed'


def test_a_failed_run_fails_the_build_naming_notebook_and_cell(fake, failed_run):
    site = build_site(fake, engine='html')
    before = (site/'nbs/01_one.html').read_text()
    with pytest.raises(SiteError) as e: build_site(fake, executed=failed_run, engine='html')
    msg = str(e.value)
    ex = nbformat.read(failed_run/'01_one.ipynb', as_version=4)
    bad = next(i for i, c in enumerate(ex.cells, 1) if any(o.output_type == 'error' for o in c.get('outputs', [])))
    assert f"{failed_run/'01_one.ipynb'}: cell {bad} (id {ex.cells[bad - 1].id}): ZeroDivisionError: division by zero" in msg
    assert "papermill's error banner" in msg
    assert (site/'nbs/01_one.html').read_text() == before   # the last good site is left as it was


def test_cli_exits_non_zero_on_a_failed_run(fake, failed_run, capsys, monkeypatch):
    from llmcamp.camp import main
    (fake/'settings.ini').write_text('[DEFAULT]\nlib_name = llmcamp\n')   # the CLI works in an llmcamp checkout
    monkeypatch.chdir(fake)
    assert main(['docs', '--executed', str(failed_run), '--engine', 'html']) != 0
    assert 'ZeroDivisionError' in capsys.readouterr().err


def test_noise_is_stripped(fake, tmp_path):
    nb = nbformat.read(fake/'nbs/01_one.ipynb', as_version=4)
    warn = f'{tmp_path}/.venv/lib/python3.11/site-packages/tqdm/auto.py:21: TqdmWarning: IProgress not found.\n  from .autonotebook import tqdm\n'
    nb.cells[1].outputs = [nbformat.v4.new_output('stream', name='stderr', text=warn + '\r 50%|#####     | 1/2 [00:00<00:00, 9.1it/s]\r100%|##########| 2/2\n'),
                           nbformat.v4.new_output('stream', name='stdout', text='measured 42 tokens/s\n')]
    nb.cells.insert(0, code('#| default_exp one'))
    nb.cells.insert(2, code('# Parameters\nworkspace = "/tmp/run-123"\n', metadata={'tags': ['injected-parameters']}))
    (tmp_path/'executed').mkdir(); nbformat.write(nb, tmp_path/'executed/01_one.ipynb')
    page = (build_site(fake, executed=tmp_path/'executed', engine='html')/'nbs/01_one.html').read_text()
    assert 'measured 42 tokens/s' in page
    for noise in ('.venv', 'TqdmWarning', '/tmp/run-123', 'it/s]', 'default_exp'): assert noise not in page, noise
    main = page.split('<main>')[1]
    assert main.count('class="input_area"') == 1   # the exported cell; no empty box for `#| default_exp`


def test_api_index_lists_every_exported_name(site):
    "Every name in each module's `__all__` (read from the generated module, not imported) has an entry and an anchor."
    index = (site/'api.html').read_text()
    for mod in sorted((ROOT/'llmcamp').glob('*.py')):
        tree = ast.parse(mod.read_text())
        names = next((ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign) and getattr(n.targets[0], 'id', '') == '__all__'), [])
        missing = [n for n in names if f'#{n}"><code>{n}</code>' not in index]
        assert not missing, f"llmcamp/{mod.name}: not in the API index (is its notebook in _quarto.yml's sidebar?): {missing}"


# --- in the browser -----------------------------------------------------------------------

CHROMIUM = os.environ.get('CHROMIUM') or next((p for p in ('/usr/lib/chromium/chromium', shutil.which('chromium')) if p and Path(p).is_file()), None)


@pytest.fixture(scope='module')
def browser():
    "Headless Chromium through Playwright; skipped where either is missing, except under CI=true, where `make install` must have put both there."
    missing = [] if CHROMIUM else ["Debian's chromium (apt-get install chromium)"]
    try: from playwright.sync_api import sync_playwright
    except ImportError: missing.append('the playwright package (pip install -e ".[dev]")')
    if missing:
        msg = f"{' and '.join(missing)} not installed: `make install` installs them"
        if os.environ.get('CI', '').lower() in ('1', 'true', 'yes'): pytest.fail(msg)
        pytest.skip(msg)
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM)
        yield b
        b.close()


@pytest.fixture
def serve():
    "Serve a folder on 127.0.0.1 (as a reader's web server would); returns its base URL."
    servers = []
    def start(folder):
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *a): pass
        srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Quiet, directory=str(folder)))
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        return f'http://127.0.0.1:{srv.server_address[1]}/'
    yield start
    for srv in servers: srv.shutdown(); srv.server_close()


_PAGE_FACTS = """() => ({
  overflow: document.documentElement.scrollWidth - window.innerWidth,
  unsized: [...document.images].filter(i => !i.getAttribute('width') || !i.getAttribute('height') || !i.complete || !i.naturalWidth).length,
  images: document.images.length,
  math: document.querySelectorAll('span.math').length,
  katex: document.querySelectorAll('span.math .katex').length,
  katexErrors: [...document.querySelectorAll('.katex-error')].map(e => e.title),
})"""


def browse(browser, base, site, width=1366):
    "Load every HTML page of `site` (served at `base`) at `width` px: {page: facts}, with each page's console errors and failed requests; the root redirect must land on a page."
    page, facts = browser.new_page(viewport={'width': width, 'height': 900}), {}
    errors = []
    page.on('console', lambda m: m.type == 'error' and errors.append(f"{m.text} ({m.location.get('url')})"))
    page.on('pageerror', lambda e: errors.append(str(e)))
    page.on('requestfailed', lambda r: r.failure != 'net::ERR_ABORTED' and errors.append(f'{r.failure}: {r.url}'))  # not one cut short by the next page
    for f in sorted(site.rglob('*.html')):
        rel = f.relative_to(site).as_posix()
        errors.clear()
        if rel == 'index.html':   # a redirect to the front page: follow it, then look at where it landed
            page.goto(base + rel); page.wait_for_url(lambda u: u != base + 'index.html', wait_until='load')
            rel = page.url.removeprefix(base)
            if rel in facts: continue
        else: page.goto(base + rel, wait_until='load')
        facts[rel] = {**page.evaluate(_PAGE_FACTS), 'errors': list(errors)}
    page.close()
    return facts


def _assert_pages_ok(facts):
    for rel, f in facts.items():
        assert not f['errors'], f"{rel}: console errors {f['errors']}"
        assert f['overflow'] <= 0, f"{rel}: {f['overflow']} px wider than the window"
        assert f['unsized'] == 0, f"{rel}: {f['unsized']} of {f['images']} images without width/height (or not loaded)"
        assert f['katex'] == f['math'], f"{rel}: {f['math'] - f['katex']} of {f['math']} formulas not rendered"
        assert not f['katexErrors'], f"{rel}: KaTeX could not parse {f['katexErrors']}"


def test_real_site_in_chromium(browser, serve, site):
    t = time.time()
    base = serve(site)
    facts = browse(browser, base, site)
    _assert_pages_ok(facts)
    assert sorted(facts) == sorted([p.with_suffix('.html').as_posix() for _, p in sidebar(ROOT)] + ['api.html'])
    assert sum(f['katex'] for f in facts.values()) > 0                    # the chapters' formulas, typeset
    page = browser.new_page(viewport={'width': 1366, 'height': 900})
    page.goto(base + 'nbs/index.html')
    page.fill('#search', 'build_site')                                    # search finds a function by name, and goes to its anchor
    hit = page.locator('#search-results a.search-hit').first
    assert hit.inner_text().startswith('build_site')
    hit.click(); page.wait_for_load_state('load')
    assert page.url.endswith('nbs/internals/docs.html#build_site') and page.locator('[id="build_site"]').is_visible()
    page.set_viewport_size({'width': 390, 'height': 800})                 # a phone: the sidebar folds behind "Menu"
    assert not page.locator('#search').is_visible() and page.locator('label.nav-toggle-label').is_visible()
    assert page.evaluate('document.documentElement.scrollWidth - window.innerWidth') <= 0
    page.locator('label.nav-toggle-label').click()
    assert page.locator('#search').is_visible()
    page.close()
    print(f"{len(facts)} pages in Chromium in {time.time() - t:.1f} s")


def test_wide_outputs_images_and_math_in_chromium(browser, serve, tmp_path):
    "Executed outputs the sources lack: a 40-column table, a long line, a figure, an SVG file; math in prose and in a docstring."
    import matplotlib; matplotlib.use('agg'); import matplotlib.pyplot as plt
    fig, buf = plt.figure(figsize=(4, 3)), io.BytesIO(); fig.savefig(buf, format='png'); plt.close(fig)
    table = '<table class="dataframe"><tr>' + ''.join(f'<th>column_{i}</th>' for i in range(40)) + '</tr><tr>' + ''.join(f'<td>{i * 1000.5}</td>' for i in range(40)) + '</tr></table>'
    proj = fake_project(tmp_path/'p', {'nbs/index.ipynb': [md('# Home\n\n![a figure](fig.svg)\n\n| ' + ' | '.join(f'h{i}' for i in range(40)) + ' |\n|' + '---|' * 40 + '\n| ' + ' | '.join('value' for _ in range(40)) + ' |'),
        md('Attention is $\\mathrm{softmax}(QK^\\top/\\sqrt{d})V$, and\n\n$$\\mathrm{RMS}(x) = \\sqrt{\\tfrac{1}{n}\\sum_i x_i^2}$$'),
        code('#| export\ndef rms(x):\n    "Root mean square, $\\\\sqrt{\\\\overline{x^2}}$."\n    return x', outputs=[
            nbformat.v4.new_output('display_data', data={'text/html': table, 'text/plain': 'table'}),
            nbformat.v4.new_output('stream', name='stdout', text='x' * 600 + '\n'),
            nbformat.v4.new_output('display_data', data={'image/png': base64.b64encode(buf.getvalue()).decode(), 'text/plain': '<Figure>'})])]},
        {None: ['nbs/index.ipynb']})
    (proj/'fig.svg').write_text(  # the front page's links are written from the root, as in README.md
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 60"><rect width="120" height="60" fill="#2c6fbb"/></svg>')
    site = build_site(proj, engine='html')
    assert check_site(site, proj) == []
    facts = browse(browser, serve(site), site)
    _assert_pages_ok(facts)
    home = facts['nbs/index.html']
    assert home['images'] == 2 and home['katex'] == home['math'] == 3
