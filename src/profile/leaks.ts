import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { Finding, Rule } from '../engine/types.js';
import { nodesOfType } from '../go/nodes.js';
import type { SyntaxNode } from '../go/tree.js';
import type { SourceFiles } from './sources.js';
import type { LoadedProfile, ProfileImpact } from './types.js';

/**
 * What Go's goroutine leak profile (Go 1.26 with GOEXPERIMENT=goroutineleakprofile, on by
 * default from 1.27; `/debug/pprof/goroutineleak`) proves. Its stacks are the goroutines the
 * garbage collector found blocked on channels or locks that no running goroutine can reach:
 * leaked for good, where a goroutine profile only shows that goroutines are parked.
 */

/** A profile's stacks with their frames mapped to `file:line` sites of the tree, leaf first (null outside it). */
export interface SitedStacks {
  profile: LoadedProfile;
  sites: (string | null)[][];
}

/** Whether the impact is goroutines the runtime proved leaked (with a base: more than in the base). */
export function provesLeak(imp: ProfileImpact): boolean {
  return imp.kind === 'goroutineleak' && imp.value > 0;
}

/**
 * The rules whose findings are goroutines that hang forever: those reported in test code
 * too (`meta.inTests: 'reported'`, the engine's test-code policy says why).
 */
export function hangingRules(rules: readonly Pick<Rule, 'meta'>[]): Set<string> {
  return new Set(rules.filter((r) => r.meta.inTests === 'reported').map((r) => r.meta.id));
}

/** The lines of the function a `go` statement starts. */
interface Started {
  file: string;
  start: number;
  end: number;
}

/**
 * The goroutines a finding's `go` statements start (its own line, or a related location,
 * that holds one). A leak profile's stacks end at the goroutine's own function, not at the
 * `go` statement: a stack whose outermost frame in the tree is in that function is the
 * finding's goroutine, wherever it blocks.
 */
export function startedBy(f: Finding, sources: SourceFiles, cwd: string): Started[] {
  const started: Started[] = [];
  const lines = [{ file: f.file, line: f.startLine }, ...f.related.map((r) => ({ file: r.file, line: r.startLine }))];
  for (const { file, line } of lines) {
    const goFile = sources.goFile(path.resolve(cwd, file), file);
    if (!goFile) continue;
    for (const stmt of nodesOfType(goFile, 'go_statement')) {
      if (stmt.startPosition.row !== line - 1) continue;
      const callee = stmt.namedChildren[0]?.childForFieldName('function');
      const s = callee && startedFunction(callee, file, sources, cwd);
      if (s) started.push(s);
    }
  }
  return started;
}

/**
 * A func literal's lines; for `go worker()` or `go s.loop()`, the package's only function (or
 * only method) of that name in the directory's files, or null when there are several: which
 * one runs is then the model's question, and the profile layer stays silent.
 */
function startedFunction(callee: SyntaxNode, file: string, sources: SourceFiles, cwd: string): Started | null {
  if (callee.type === 'func_literal') return { file, start: callee.startPosition.row + 1, end: callee.endPosition.row + 1 };
  const method = callee.type === 'selector_expression';
  const name = method ? callee.childForFieldName('field')?.text : callee.type === 'identifier' ? callee.text : undefined;
  if (!name) return null;
  const dir = path.posix.dirname(file);
  let names: string[];
  try {
    names = readdirSync(path.resolve(cwd, dir)).filter((n) => n.endsWith('.go'));
  } catch {
    return null;
  }
  const found: Started[] = [];
  for (const base of names) {
    const rel = path.posix.join(dir, base);
    const goFile = sources.goFile(path.resolve(cwd, rel), rel);
    if (!goFile) continue;
    for (const decl of nodesOfType(goFile, method ? 'method_declaration' : 'function_declaration')) {
      if (decl.childForFieldName('name')?.text === name) found.push({ file: rel, start: decl.startPosition.row + 1, end: decl.endPosition.row + 1 });
    }
  }
  return found.length === 1 ? found[0] : null;
}

/**
 * The stacks whose outermost frame in the tree is one of the started functions: a line whose
 * innermost function is that function (not a func literal nested in it).
 */
export function stacksStartedBy(a: SitedStacks, started: Started[], sources: SourceFiles, cwd: string): Set<number> {
  const out = new Set<number>();
  if (!started.length) return out;
  const around = new Map<string, { start: number; end: number } | null>();
  a.sites.forEach((keys, s) => {
    let at = keys.length - 1;
    while (at >= 0 && keys[at] === null) at--;
    if (at < 0) return;
    const site = keys[at] as string;
    const colon = site.lastIndexOf(':');
    const file = site.slice(0, colon);
    if (!started.some((st) => st.file === file)) return;
    if (!around.has(site)) around.set(site, sources.functionAround(path.resolve(cwd, file), Number(site.slice(colon + 1))));
    const range = around.get(site);
    if (range && started.some((st) => st.file === file && st.start === range.start && st.end === range.end)) out.add(s);
  });
  return out;
}

/** The leaf-most tree site of the largest of the stacks: where those goroutines block. */
export function blockingSite(a: SitedStacks, stacks: Iterable<number>): string | null {
  let best: { site: string; value: number } | null = null;
  for (const s of stacks) {
    const site = a.sites[s].find((k) => k !== null);
    const value = a.profile.stacks[s].value;
    if (site && (!best || value > best.value)) best = { site, value };
  }
  return best?.site ?? null;
}
