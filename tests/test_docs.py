"The docs site and README builders of `llmcamp.docs`: the real repository's site, and fake projects for the failure modes."
import time
from pathlib import Path

import nbformat, pytest, yaml

from llmcamp.docs import README_WARNING, build_site, check_site, render_readme, sidebar, write_readme

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
    assert '<code>def f(x) -&gt; int</code><div class="api-doc">Double `x`.</div>' in one
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
