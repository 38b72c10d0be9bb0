// Regenerates docs/rules/<id>.md, the README's rule table and rules/catalog.ts from the rules' metadata.
// `npm run docs` writes them; `npm run docs -- --check` (and the test suite) fails when they are stale.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { allRules } from '../rules/index.js';
import { profileRules } from '../src/profile/hotspots.js';
import { unusedIgnore } from '../src/engine/unused-ignore.js';
import { renderRuleDoc, renderRuleTable } from '../src/report/rules.js';
import type { Rule } from '../src/engine/types.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BEGIN = '<!-- rules:begin -->\n';
const END = '<!-- rules:end -->';

/** Every generated file with the content it should have. */
export function expectedDocs(): Map<string, string> {
  const files = new Map<string, string>();
  for (const rule of allRules) files.set(path.join(repo, 'docs/rules', `${rule.meta.id}.md`), renderRuleDoc(rule));
  for (const rule of profileRules) {
    files.set(path.join(repo, 'docs/rules', `${rule.meta.id}.md`), renderRuleDoc(rule, 'src/profile/hotspots.ts'));
  }
  files.set(path.join(repo, 'docs/rules', `${unusedIgnore.meta.id}.md`), renderRuleDoc(unusedIgnore, 'src/engine/unused-ignore.ts'));
  const readmePath = path.join(repo, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the ${BEGIN.trim()} ... ${END} markers`);
  files.set(readmePath, readme.slice(0, start + BEGIN.length) + renderRuleTable([...allRules, ...profileRules, unusedIgnore]) + readme.slice(end));
  files.set(path.join(repo, 'rules/catalog.ts'), renderCatalog(allRules));
  return files;
}

/** rules/catalog.ts: every rule's metadata as data, which the main thread reads instead of the rules. */
function renderCatalog(rules: Rule[]): string {
  return [
    '// Written by `npm run docs` from the meta of each rule in rules/index.ts: do not edit.',
    '// The main thread selects and describes rules from this list without loading their code',
    '// (task.ts loads that where a package is linted); test/docs.test.ts fails when it is stale.',
    "import type { RuleMeta } from '../src/engine/types.js';",
    '',
    `export const catalog: readonly RuleMeta[] = ${JSON.stringify(rules.map((r) => r.meta), null, 2)};`,
    '',
  ].join('\n');
}

function main(): void {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [file, content] of expectedDocs()) {
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      current = '';
    }
    if (current === content) continue;
    stale++;
    if (check) process.stderr.write(`stale: ${path.relative(repo, file)} (run npm run docs)\n`);
    else {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
  }
  if (check && stale) process.exitCode = 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) main();
