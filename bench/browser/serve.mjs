// Serves a built site the way a static host behind a CDN would: files from the output
// folder, text compressed with gzip, and the headers of the site's own `_headers` file
// (Netlify / Cloudflare Pages format: caching, Content-Security-Policy and the rest).
// Used by search.mjs and lighthouse.mjs; no dependencies.
//
//   node serve.mjs DIR [PORT]     (prints the address, serves until stopped)
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const TYPES = {
  html: "text/html; charset=utf-8", css: "text/css", js: "text/javascript",
  json: "application/json", xml: "application/xml", txt: "text/plain; charset=utf-8",
  svg: "image/svg+xml", jpg: "image/jpeg", jpeg: "image/jpeg", webp: "image/webp",
  png: "image/png", ico: "image/x-icon",
};
const COMPRESSED = new Set(["html", "css", "js", "json", "xml", "txt", "svg"]);

/** The rules of a `_headers` file: [pattern, [[name, value]], [removed names]]. */
function readHeaders(root) {
  let text = "";
  try { text = fs.readFileSync(path.join(root, "_headers"), "utf8"); } catch { return []; }
  const rules = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    if (!/^\s/.test(line)) { rules.push([line.trim(), [], []]); continue; }
    const rule = rules[rules.length - 1];
    const t = line.trim();
    if (t.startsWith("! ")) rule[2].push(t.slice(2).toLowerCase());
    else { const i = t.indexOf(":"); rule[1].push([t.slice(0, i).trim(), t.slice(i + 1).trim()]); }
  }
  return rules;
}

function matches(pattern, p) {
  return pattern.endsWith("*") ? p.startsWith(pattern.slice(0, -1)) : p === pattern;
}

export function serve(root, port = 0) {
  const rules = readHeaders(root);
  const gz = new Map();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://localhost");
    let rel = decodeURIComponent(url.pathname);
    if (rel.endsWith("/")) rel += "index.html";
    let file = path.join(root, rel);
    if (!file.startsWith(root)) file = path.join(root, "404.html");
    let status = 200;
    if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) { status = 404; file = path.join(root, "404.html"); }
    const ext = path.extname(file).slice(1);
    const headers = { "Content-Type": TYPES[ext] || "application/octet-stream" };
    for (const [pattern, set, removed] of rules) {
      if (!matches(pattern, url.pathname)) continue;
      for (const name of removed) for (const k of Object.keys(headers)) if (k.toLowerCase() === name) delete headers[k];
      for (const [name, value] of set) headers[name] = value;
    }
    let body = fs.readFileSync(file);
    if (COMPRESSED.has(ext) && /\bgzip\b/.test(req.headers["accept-encoding"] || "")) {
      if (!gz.has(file)) gz.set(file, zlib.gzipSync(body, { level: 6 }));
      body = gz.get(file);
      headers["Content-Encoding"] = "gzip";
      headers["Vary"] = "Accept-Encoding";
    }
    headers["Content-Length"] = body.length;
    res.writeHead(status, headers);
    res.end(req.method === "HEAD" ? undefined : body);
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = path.resolve(process.argv[2] || "public");
  const server = await serve(root, Number(process.argv[3] || 0));
  console.log(`http://127.0.0.1:${server.address().port}/`);
}
