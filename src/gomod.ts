import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ModuleFacts } from './engine/types.js';

/** A Go language version such as 1.21 or 1.22.3, compared by its numbers. */
export interface GoVersion {
  major: number;
  minor: number;
  patch: number;
  /** True when no go.mod (or no go line) said which version: treated as old. */
  assumed: boolean;
}

/** Go before modules had go lines; the oldest behaviour for every gated rule. */
export const ASSUMED_GO: GoVersion = { major: 1, minor: 16, patch: 0, assumed: true };

export function parseGoVersion(text: string): GoVersion | null {
  const m = /^(?:go)?(\d+)\.(\d+)(?:\.(\d+))?(?:(?:rc|beta)\d+)?$/.exec(text.trim());
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0), assumed: false };
}

export function formatGoVersion(v: GoVersion): string {
  return `${v.major}.${v.minor}${v.patch ? `.${v.patch}` : ''}`;
}

export function compareGoVersions(a: GoVersion, b: GoVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** The facts go.mod states: module path, go line and godebug settings. */
export function parseGoMod(text: string): ModuleFacts {
  let modulePath: string | null = null;
  let goVersion: GoVersion = ASSUMED_GO;
  const godebug: Record<string, string> = {};
  let block: string | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (!line) continue;
    if (block) {
      if (line === ')') block = null;
      else if (block === 'godebug') addGodebug(godebug, line);
      continue;
    }
    const blockStart = /^(\w+)\s*\($/.exec(line);
    if (blockStart) {
      block = blockStart[1];
      continue;
    }
    const [verb, ...rest] = line.split(/\s+/);
    const arg = rest.join(' ');
    if (verb === 'module') modulePath = arg.replace(/^"|"$/g, '');
    else if (verb === 'go') goVersion = parseGoVersion(arg) ?? ASSUMED_GO;
    else if (verb === 'godebug') addGodebug(godebug, arg);
  }
  return { modulePath, goVersion, godebug };
}

function addGodebug(into: Record<string, string>, setting: string): void {
  const eq = setting.indexOf('=');
  if (eq > 0) into[setting.slice(0, eq).trim()] = setting.slice(eq + 1).trim();
}

/** Finds the go.mod that holds a directory, reading each go.mod once per run. */
export class ModuleResolver {
  private readonly byDir = new Map<string, { root: string; facts: ModuleFacts } | null>();

  /** The module root and facts for a directory, or null when no go.mod is above it. */
  lookup(dir: string): { root: string; facts: ModuleFacts } | null {
    const abs = path.resolve(dir);
    const cached = this.byDir.get(abs);
    if (cached !== undefined) return cached;
    let found: { root: string; facts: ModuleFacts } | null;
    let text: string | null = null;
    try {
      text = readFileSync(path.join(abs, 'go.mod'), 'utf8');
    } catch {
      text = null;
    }
    if (text !== null) found = { root: abs, facts: parseGoMod(text) };
    else {
      const parent = path.dirname(abs);
      found = parent === abs ? null : this.lookup(parent);
    }
    this.byDir.set(abs, found);
    return found;
  }
}
