// Parse speed of one parser (GOLEAK_LINT_PARSER=native|wasm): parses every .go file under
// a directory (testdata/ and vendor/ too: this is about the parser, not the linter) and
// prints {"parser", "files", "bytes", "cpuMs"} as JSON: the CPU time of the parses alone
// (the WebAssembly parser's include copying each tree out), after the files are read and
// the parser loaded. Run by bench.ts.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { initParser, parseGo } from '../src/parser/index.js';

function goFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) goFiles(p, out);
    else if (e.isFile() && e.name.endsWith('.go')) out.push(p);
  }
  return out;
}

const sources = goFiles(process.argv[2]).map((f) => readFileSync(f, 'utf8'));
const parser = await initParser();
const start = process.cpuUsage();
for (const source of sources) parseGo(source);
const used = process.cpuUsage(start);
process.stdout.write(
  JSON.stringify({
    parser: parser.kind,
    files: sources.length,
    bytes: sources.reduce((n, s) => n + Buffer.byteLength(s), 0),
    cpuMs: Math.round((used.user + used.system) / 1000),
  }) + '\n',
);
