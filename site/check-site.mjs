// The browser check of the built site: serves it on localhost, opens every page in headless Chromium
// and fails on console errors, page errors, failed or external requests, broken internal links or
// anchors, images that do not render, and markup left as text (Markdown or AsciiDoc syntax that a
// conversion did not render). Saves a screenshot of the home page.
//
// Usage: node check-site.mjs <site-dir> [screenshot-dir]
import { chromium } from 'playwright-core';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(process.argv[2] ?? 'target/site');
const shots = path.resolve(process.argv[3] ?? path.join(root, '..', 'screenshots'));
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const started = Date.now();

const types = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript',
  '.png': 'image/png', '.svg': 'image/svg+xml', '.jpg': 'image/jpeg', '.gif': 'image/gif',
  '.json': 'application/json', '.md': 'text/markdown; charset=utf-8', '.csv': 'text/csv',
  '.txt': 'text/plain', '.zip': 'application/zip', '.woff2': 'font/woff2',
};

function fileFor(urlPath) {
  let p = path.join(root, decodeURIComponent(urlPath));
  if (!p.startsWith(root)) return null;
  if (fs.existsSync(p) && fs.statSync(p).isDirectory()) p = path.join(p, 'index.html');
  return fs.existsSync(p) ? p : null;
}

const server = http.createServer((req, res) => {
  const file = fileFor(new URL(req.url, 'http://x').pathname);
  if (!file) { res.writeHead(404).end('not found'); return; }
  res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

// The pages: every .html file outside the Javadoc, plus the Javadoc's entry page. Links into the
// Javadoc are checked by existence (there are hundreds of Javadoc pages).
const pages = fs.readdirSync(root, { recursive: true })
  .filter((f) => f.endsWith('.html') && !f.startsWith('apidocs' + path.sep))
  .map((f) => '/' + f.split(path.sep).join('/'))
  .sort();
if (fs.existsSync(path.join(root, 'apidocs', 'index.html'))) pages.push('/apidocs/index.html');
const classPage = 'apidocs/dev/awp/djl/perturbation/AwpOptimizer.html';
if (fs.existsSync(path.join(root, classPage))) pages.push('/' + classPage);

const problems = [];
const problem = (page, what) => problems.push(`${page}: ${what}`);

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'awp-site-check-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let current = '';
// No request may leave the machine: the site bundles everything it needs.
await context.route('**/*', (route) => {
  const url = route.request().url();
  if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('about:')) {
    route.continue();
  } else {
    problem(current, `external request ${url}`);
    route.abort();
  }
});

const page = context.pages()[0] ?? (await context.newPage());
page.on('console', (m) => { if (m.type() === 'error') problem(current, `console error: ${m.text()}`); });
page.on('pageerror', (e) => problem(current, `page error: ${e.message}`));
page.on('requestfailed', (r) => {
  if (r.url().startsWith(origin)) problem(current, `request failed: ${r.url()} ${r.failure()?.errorText}`);
});
page.on('response', (r) => { if (r.status() >= 400) problem(current, `HTTP ${r.status()} ${r.url()}`); });

// Markup shown as text instead of rendered: what a wrong conversion leaves behind (the old
// Markdown-to-AsciiDoc conversion of the Results page showed a list after a paragraph line as
// "used: * the embedded …" and indented sub-lists as literal blocks). The patterns run over the text
// of each block element (paragraph, list item, table cell, heading) with its line breaks as in the
// source, so "\n- " is a line that starts with a list marker; inline code counts as one placeholder
// character, code blocks are skipped. Only a marker after a line break counts: at the start of a
// block it is the block's own text ("1. Create the project" as a heading).
const LITERAL_MARKUP = [
  ['a list marker at the start of a line', /\n[ \t]*(?:[*+-]|1[.)])[ \t]+\S/],
  ['"**" (bold markup)', /\*\*/],
  ['a Markdown link or image', /!?\[[^\]\n]*\]\([^)\s]*\)/],
  ['a Markdown heading', /(?:^|\n)[ \t]*#{1,6}[ \t]+\S/],
  ['a Markdown table row', /(?:^|\n)[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*\|/],
  ['a code fence', /(?:^|\n)[ \t]*(?:```|~~~)/],
  ['backquoted code', /`[^`\n]+`/],
];
// Text in a <pre> is shown as written, so only a <pre> written as code may hold list markers:
// Asciidoctor's listing blocks (----) and Markdown's fenced code, which ResultsIndex renders as
// listing blocks too. Any other <pre> (a literal block: indented text in AsciiDoc, or indented code
// in Markdown) came from prose: a list in it is a list that was not rendered, and the other
// patterns (all but the first, which PROSE_PRE_LIST replaces) apply to it as to text.
const PROSE_PRE_LIST = /(?:^|\n)[ \t]*(?:[*+-]|\d+[.)])[ \t]+\S/;

// Runs in the page (page.evaluate serializes it), so the patterns come in as sources.
function literalMarkup({ patterns, prosePre }) {
  const blocks = 'p, li, td, th, dt, dd, h1, h2, h3, h4, h5, h6, caption, summary, figcaption, blockquote, .title';
  const texts = new Map(); // block element -> its own text (not that of nested blocks)
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const parent = n.parentElement;
    if (!parent || parent.closest('pre, script, style, textarea, .listingblock')) continue;
    const block = parent.closest(blocks);
    if (!block) continue;
    const text = parent.closest('code, kbd, samp') ? '\u2026' : n.data;
    texts.set(block, (texts.get(block) ?? '') + text);
  }
  const found = [];
  const around = (text, m) => text.slice(Math.max(0, m.index - 30), m.index + m[0].length + 30)
    .replace(/\s+/g, ' ').trim();
  for (const [block, text] of texts) {
    for (const [what, source] of patterns) {
      const m = new RegExp(source).exec(text);
      if (m) found.push(`${what} in the text of a <${block.localName}>: "${around(text, m)}"`);
    }
  }
  for (const pre of document.querySelectorAll('pre')) {
    if (pre.closest('.listingblock')) continue;
    const text = pre.textContent;
    const m = new RegExp(prosePre).exec(text);
    if (m) found.push(`a list in a <pre> that is not a code block: "${around(text, m)}"`);
    for (const [what, source] of patterns.slice(1)) {
      const m2 = new RegExp(source).exec(text);
      if (m2) found.push(`${what} in a <pre> that is not a code block: "${around(text, m2)}"`);
    }
  }
  return found;
}

const links = new Map(); // target URL -> the first page linking to it
let images = 0;
for (const p of pages) {
  current = p;
  const response = await page.goto(origin + p, { waitUntil: 'load' });
  if (!response || !response.ok()) { problem(p, `does not load (${response?.status()})`); continue; }
  const found = await page.evaluate(() => ({
    hrefs: [...document.querySelectorAll('a[href]')].map((a) => a.href),
    ids: [...document.querySelectorAll('[id], a[name]')].map((e) => e.id || e.getAttribute('name')),
    imgs: [...document.images].map((i) => ({ src: i.currentSrc || i.src, ok: i.complete && i.naturalWidth > 0 })),
    nav: !!document.querySelector('#awp-nav a[href$="apidocs/index.html"]'),
  }));
  for (const img of found.imgs) {
    images++;
    if (!img.ok) problem(p, `image does not render: ${img.src}`);
  }
  if (!p.startsWith('/apidocs/') && !found.nav) problem(p, 'no navigation bar with the API reference');
  if (!p.startsWith('/apidocs/')) {
    const literal = await page.evaluate(literalMarkup, {
      patterns: LITERAL_MARKUP.map(([what, re]) => [what, re.source]),
      prosePre: PROSE_PRE_LIST.source,
    });
    for (const x of literal) problem(p, `markup shown as text: ${x}`);
  }
  for (const href of found.hrefs) {
    const u = new URL(href);
    if (u.origin !== origin) continue;
    if (u.pathname === p && u.hash) {
      const id = decodeURIComponent(u.hash.slice(1));
      if (id && !found.ids.includes(id)) problem(p, `broken anchor #${id}`);
      continue;
    }
    const key = u.origin + u.pathname + u.hash;
    if (!links.has(key)) links.set(key, p);
  }
}

// Links between pages: the target exists; anchors into our own pages exist too.
const anchorsOf = new Map();
for (const [key, from] of links) {
  const u = new URL(key);
  const file = fileFor(u.pathname);
  if (!file) { problem(from, `broken link ${u.pathname}`); continue; }
  if (u.hash && file.endsWith('.html') && !u.pathname.startsWith('/apidocs/')) {
    if (!anchorsOf.has(file)) {
      const html = fs.readFileSync(file, 'utf8');
      anchorsOf.set(file, new Set([...html.matchAll(/\s(?:id|name)="([^"]+)"/g)].map((m) => m[1])));
    }
    const id = decodeURIComponent(u.hash.slice(1));
    if (!anchorsOf.get(file).has(id)) problem(from, `broken anchor ${u.pathname}#${id}`);
  }
}

// The Javadoc (hundreds of pages) is checked without the browser: every relative link of every
// page points to an existing file (two of its pages were loaded in the browser above).
let javadocLinks = 0;
const apidocs = path.join(root, 'apidocs');
if (fs.existsSync(apidocs)) {
  for (const f of fs.readdirSync(apidocs, { recursive: true }).filter((x) => x.endsWith('.html'))) {
    const file = path.join(apidocs, f);
    const html = fs.readFileSync(file, 'utf8');
    for (const m of html.matchAll(/\s(?:href|src)="([^"#?]*)(?:[#?][^"]*)?"/g)) {
      const target = m[1];
      if (!target || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // external, or a fragment only
      javadocLinks++;
      const resolved = path.resolve(path.dirname(file), decodeURIComponent(target));
      if (!resolved.startsWith(root) || !fs.existsSync(resolved)) {
        problem('/apidocs/' + f.split(path.sep).join('/'), `broken link ${target}`);
      }
    }
  }
}

// The screenshot of the home page.
current = '/index.html';
fs.mkdirSync(shots, { recursive: true });
await page.goto(origin + '/index.html', { waitUntil: 'load' });
await page.screenshot({ path: path.join(shots, 'home.png') });

await context.close();
server.close();
fs.rmSync(userDataDir, { recursive: true, force: true });

const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (problems.length) {
  console.error(`Site check FAILED (${problems.length} problem(s)):`);
  for (const x of problems) console.error('  ' + x);
  process.exit(1);
}
console.log(`Site check passed: ${pages.length} pages, ${links.size} internal links, ${images} images,`
  + ` ${javadocLinks} Javadoc links,`
  + ` no console errors, no external requests (${seconds} s). Screenshot: ${path.join(shots, 'home.png')}`);
