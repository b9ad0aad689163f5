// Lighthouse (the npm package, mobile defaults: a mid-range phone, 4x CPU slowdown,
// simulated slow 4G) on a built site served gzipped with its own `_headers` by
// serve.mjs, driving Debian's Chromium:
//
//   node lighthouse.mjs PUBLIC_DIR [RUNS]     (default 3 runs; prints medians)
//   PAGES="/zh/privacy/" node lighthouse.mjs …  (only those pages)
//
// Pages: the home page, /cars/, the first car of /cars/ and the privacy policy, in
// English and in Chinese. Target (issue 23): at least 95 in each category.
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";
import path from "node:path";
import { serve } from "./serve.mjs";

const root = path.resolve(process.argv[2] || "public");
const RUNS = Number(process.argv[3] || 3);
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"];
const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const server = await serve(root);
const base = `http://127.0.0.1:${server.address().port}`;
const chrome = await chromeLauncher.launch({ chromePath: CHROMIUM, chromeFlags: FLAGS });

// The first car the list shows, as a visitor would pick it.
const list = await (await fetch(`${base}/cars/`)).text();
const car = list.match(/class="?car-card[\s\S]*?<h3><a href="?([^" >]+)/)[1];
// PAGES="/zh/privacy/ /cars/" measures only those.
const pages = process.env.PAGES ? process.env.PAGES.split(" ") : ["/", "/cars/", car, "/privacy/"].flatMap((p) => [p, `/zh${p}`]);

console.log(`Lighthouse ${(await import("lighthouse/package.json", { with: { type: "json" } })).default.version}, mobile, on ${root}, median of ${RUNS} runs.\n`);
console.log("| page | performance | accessibility | best practices | SEO | TBT | LCP | bytes |");
console.log("|---|---|---|---|---|---|---|---|");
let low = 0;
for (const page of pages) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const result = await lighthouse(base + page, { port: chrome.port, output: "json", logLevel: "error", onlyCategories: CATEGORIES });
    const lhr = result.lhr;
    runs.push({
      scores: CATEGORIES.map((c) => Math.round(lhr.categories[c].score * 100)),
      tbt: lhr.audits["total-blocking-time"].numericValue,
      lcp: lhr.audits["largest-contentful-paint"].numericValue,
      bytes: lhr.audits["total-byte-weight"].numericValue,
      failed: Object.values(lhr.audits).filter((a) => a.score !== null && a.score < 0.9 && a.scoreDisplayMode !== "informative" && a.scoreDisplayMode !== "notApplicable" && a.scoreDisplayMode !== "manual").map((a) => a.id),
    });
  }
  const scores = CATEGORIES.map((_, k) => median(runs.map((r) => r.scores[k])));
  if (scores.some((s) => s < 95)) low++;
  console.log(`| ${page} | ${scores.join(" | ")} | ${Math.round(median(runs.map((r) => r.tbt)))} ms | ${Math.round(median(runs.map((r) => r.lcp)))} ms | ${(median(runs.map((r) => r.bytes)) / 1000).toFixed(1)} kB |`);
  if (process.env.VERBOSE) console.error(page, "audits below 0.9:", [...new Set(runs.flatMap((r) => r.failed))].join(", "));
}
await chrome.kill();
server.close();
console.log(low ? `\n${low} pages below 95 in some category` : "\nEvery page at least 95 in every category.");
process.exit(low ? 1 : 0);
