// Times one Node peer over the corpus, single thread, start-up excluded.
//
//     node bench.mjs TOOL CORPUS_DIR PASSES
//
// TOOL is sanitize-html or dompurify (DOMPurify on a jsdom window). Same method as bench.py:
// payloads read first, 50 documents warm up, PASSES timed passes; one JSON line out.
// DOMPurify on jsdom grows its heap with every document (cure53/DOMPurify#1089): run it with one
// pass per process.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
// Some packages do not export their package.json: read it from node_modules.
const versionOf = (pkg) =>
  JSON.parse(readFileSync(join(here, "node_modules", pkg, "package.json"), "utf8")).version;
const [name, corpus, passesArg] = process.argv.slice(2);
const passes = Number(passesArg);

function payload(text) {
  if (!text.startsWith("<!--")) return text;
  let at = 0;
  for (let i = 0; i < 4; i++) {
    const nl = text.indexOf("\n", at);
    if (nl < 0) return text;
    at = nl + 1;
  }
  return text.slice(at);
}

let run;
let version;
if (name === "sanitize-html") {
  const sanitizeHtml = require("sanitize-html");
  run = (d) => sanitizeHtml(d);
  version = versionOf("sanitize-html");
} else if (name === "dompurify") {
  const createDOMPurify = require("dompurify");
  const { JSDOM } = require("jsdom");
  const purify = createDOMPurify(new JSDOM("").window);
  run = (d) => purify.sanitize(d);
  version = `${versionOf("dompurify")} + jsdom ${versionOf("jsdom")}`;
} else {
  throw new Error(`unknown tool ${name}`);
}

const files = readdirSync(corpus).filter((f) => f.startsWith("rfi-") && f.endsWith(".txt")).sort();
const docs = files.map((f) => payload(readFileSync(join(corpus, f), "utf8")));
const bytes = docs.reduce((n, d) => n + Buffer.byteLength(d, "utf8"), 0);
for (const d of docs.slice(0, 50)) run(d);
const seconds = [];
for (let p = 0; p < passes; p++) {
  const start = process.hrtime.bigint();
  for (const d of docs) run(d);
  seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
}
console.log(JSON.stringify({ tool: name, version, bytes, seconds }));
