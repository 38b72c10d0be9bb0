import { checkPackage } from './engine/check.js';
import type { Finding, ModuleFacts } from './engine/types.js';
import { loadDirectory } from './load.js';
import { describedRules } from './engine/registry.js';
import { allRules } from '../rules/index.js';
import type { Rule } from './engine/types.js';
import type { SkipCounts, Warning } from './warnings.js';

/** One directory's worth of work: plain data, so it can cross to a worker thread. */
export interface Task {
  dir: string;
  files: string[];
  root: string;
  module: ModuleFacts;
  rules: string[];
  generated: boolean;
  /** Build tags the user named (sorted): true in every build. */
  tags: string[];
  /** The files of `files` named on the command line. */
  named: string[];
  reportUnusedIgnores: boolean;
  /** Files over this many bytes are skipped. */
  maxFileBytes: number;
}

export interface TaskResult {
  findings: Finding[];
  warnings: Warning[];
  /** Files asked for but not linted, by reason. */
  skipped: SkipCounts;
  internalErrors: string[];
  packages: number;
  files: number;
  lines: number;
  /** The SHA-256 of each file read, by path: what the result cache keys on. */
  fileHashes?: Record<string, string>;
}

const implementations = new Map(allRules.map((r) => [r.meta.id, r]));

function implementation(id: string): Rule {
  const rule = implementations.get(id);
  if (!rule) throw new Error(`no rule ${id} (rules/catalog.ts is stale: run npm run docs)`);
  return rule;
}

/** Loads a directory's packages and runs the chosen rules over each (after initParser() in this thread). */
export function runTask(task: Task): TaskResult {
  const rules = task.rules.map(implementation);
  const loaded = loadDirectory(task.dir, task.files, task.root, task.module, {
    generated: task.generated,
    build: { tags: new Set(task.tags), goMinor: task.module.goVersion.minor },
    named: new Set(task.named),
    maxFileBytes: task.maxFileBytes,
  });
  const result: TaskResult = {
    findings: [],
    warnings: loaded.warnings,
    skipped: loaded.skipped,
    internalErrors: [],
    packages: loaded.packages.length,
    files: loaded.files,
    lines: loaded.lines,
    fileHashes: loaded.hashes,
  };
  for (const pkg of loaded.packages) {
    const r = checkPackage(pkg, rules, task.reportUnusedIgnores, describedRules);
    result.findings.push(...r.findings);
    result.warnings.push(...r.problems);
    result.internalErrors.push(...r.internalErrors);
  }
  return result;
}
