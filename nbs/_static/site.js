// llmcamp's docs site in the browser: math with KaTeX, search over search_index.js, nothing fetched.
// Loaded with `defer` after katex.min.js and search_index.js; <body data-root> is the way back to the site's root.
(function () {
  'use strict';
  const root = document.body.dataset.root || '';

  // Math: the builder writes $x$ as <span class="math inline">\(x\)</span> and $$x$$ as <span class="math display">\[x\]</span>.
  if (window.katex) {
    for (const el of document.querySelectorAll('span.math')) {
      const tex = el.textContent.replace(/^\\[([]/, '').replace(/\\[)\]]$/, '');
      katex.render(tex, el, {displayMode: el.classList.contains('display'), throwOnError: false});
    }
  }

  // Search: each entry of SEARCH_INDEX is [title, url from the root, where it is, text].
  // A hit needs every word of the query; a title that is, starts with or contains the query ranks first.
  const box = document.getElementById('search'), out = document.getElementById('search-results');
  const index = window.SEARCH_INDEX || [];
  function score(entry, query, words) {
    const title = entry[0].toLowerCase(), text = title + ' ' + entry[3].toLowerCase();
    let s = title === query ? 100 : title.startsWith(query) ? 40 : title.includes(query) ? 20 : 0;
    for (const w of words) {
      if (!text.includes(w)) return 0;
      s += title.includes(w) ? 5 : 1;
    }
    return s;
  }
  function show() {
    const query = box.value.trim().toLowerCase(), words = query.split(/\s+/);
    out.replaceChildren();
    if (!query) return;
    const hits = index.map(e => [score(e, query, words), e]).filter(h => h[0] > 0)
                      .sort((a, b) => b[0] - a[0]).slice(0, 12);
    for (const [, e] of hits) {
      const a = document.createElement('a'), where = document.createElement('small');
      a.className = 'search-hit'; a.href = root + e[1]; a.textContent = e[0];
      where.textContent = e[2]; a.append(where); out.append(a);
    }
    if (!hits.length) { const p = document.createElement('p'); p.textContent = 'No results'; out.append(p); }
  }
  if (box && out) {
    box.addEventListener('input', show);
    box.addEventListener('keydown', ev => {
      const first = out.querySelector('a');
      if (ev.key === 'Enter' && first) location.href = first.href;
    });
    document.addEventListener('keydown', ev => {
      if (ev.key === '/' && document.activeElement !== box) { ev.preventDefault(); box.focus(); }
    });
  }
})();
