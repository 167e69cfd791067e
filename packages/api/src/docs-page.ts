import { createHash } from 'node:crypto'

/**
 * The human-readable page of the OpenAPI document at /api/docs: one self-contained HTML file (no
 * CDN, no asset from elsewhere) whose script fetches the document with the session cookie and
 * lists every operation with its parameters, request body and answers. When the document answers
 * 401 it asks for a token and trades it for the cookie (POST /api/v1/session).
 */
const SCRIPT = `
const root = document.getElementById('doc');
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const json = (v) => '<pre>' + esc(JSON.stringify(v, null, 2)) + '</pre>';
async function load() {
  const r = await fetch('v1/openapi.json', { credentials: 'same-origin' });
  if (r.status === 401) {
    root.innerHTML = '<form id="login"><label>Token <input type="password" name="token" autocomplete="off"></label> <button>Open</button></form>';
    document.getElementById('login').addEventListener('submit', async (e) => {
      e.preventDefault();
      const token = new FormData(e.target).get('token');
      const s = await fetch('v1/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
      if (s.ok) load(); else root.insertAdjacentHTML('beforeend', '<p class="err">That token was refused.</p>');
    });
    return;
  }
  const doc = await r.json();
  let html = '<h1>' + esc(doc.info.title) + ' <small>' + esc(doc.info.version) + '</small></h1><p>' + esc(doc.info.description || '') + '</p>';
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      html += '<details><summary><b class="m ' + method + '">' + method.toUpperCase() + '</b> <code>' + esc(path) + '</code> ' + esc(op.summary || '') + '</summary>';
      if (op.description) html += '<p>' + esc(op.description) + '</p>';
      if (op.parameters && op.parameters.length) {
        html += '<table><tr><th>parameter</th><th>in</th><th>schema</th><th></th></tr>';
        for (const p of op.parameters) html += '<tr><td><code>' + esc(p.name) + '</code>' + (p.required ? ' *' : '') + '</td><td>' + esc(p.in) + '</td><td><code>' + esc(JSON.stringify(p.schema)) + '</code></td><td>' + esc(p.description || '') + '</td></tr>';
        html += '</table>';
      }
      if (op.requestBody) html += '<h4>body</h4>' + json(op.requestBody.content);
      for (const [status, res] of Object.entries(op.responses || {})) html += '<h4>' + esc(status) + ' ' + esc(res.description || '') + '</h4>' + (res.content ? json(res.content) : '');
      html += '</details>';
    }
  }
  html += '<h2>schemas</h2>' + json((doc.components || {}).schemas || {});
  root.innerHTML = html;
}
load().catch((e) => { root.textContent = 'Could not load the OpenAPI document: ' + e; });
`

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem}
summary{cursor:pointer;padding:.3rem 0}pre{background:#f4f4f4;padding:.5rem;overflow:auto;font-size:13px}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;font-size:13px}
.m{display:inline-block;width:4.5rem}.get{color:#06c}.post{color:#080}.patch{color:#a60}.delete{color:#c00}.err{color:#c00}`

export const DOCS_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>trading-alerts API</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>${STYLE}</style></head>
<body><main id="doc">Loading the OpenAPI document…</main><script>${SCRIPT}</script></body></html>
`

const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`

/** The page's Content-Security-Policy: its own script and style only, requests to itself only. */
export const DOCS_CSP = `default-src 'none'; script-src ${hash(SCRIPT)}; style-src ${hash(STYLE)}; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'`
