import { availableParallelism } from 'node:os';
import path from 'node:path';
import { runCached, type CacheStats } from './cache.js';
import { discover } from './discover.js';
import { selectRules } from './engine/registry.js';
import { unusedIgnore } from './engine/unused-ignore.js';
import type { Described, Finding, ModuleFacts, Severity } from './engine/types.js';
import { ASSUMED_GO, ModuleResolver, type GoVersion } from './gomod.js';
import type { Task } from './task.js';
import type { ProfileSummary } from './profile/types.js';
import { shardFilter, type Shard } from './shard.js';
import { MAX_FILE_BYTES, toSlash } from './load.js';
import { addSkip, sortWarnings, type SkipCounts, type SkipReason, type Warning } from './warnings.js';

export interface LintOptions {
  patterns: string[];
  cwd?: string;
  enable?: string[];
  disable?: string[];
  /** A first selection (from a config file) that `enable` and `disable` then adjust. */
  base?: { enable?: string[]; disable?: string[] };
  /** Per rule id: the severity its findings get instead of the rule's own. */
  severity?: Record<string, Severity>;
  /** Findings in files matching these globs (relative to `dir`) are not reported. */
  exclude?: { dir: string; globs: string[] };
  /** Overrides the go line of every module. */
  goVersion?: GoVersion;
  tests?: boolean;
  generated?: boolean;
  /** Build tags to treat as set, as `go vet -tags` takes them. */
  tags?: string[];
  reportUnusedIgnores?: boolean;
  jobs?: number;
  /** Where to keep the result cache (see cache.ts); no cache when absent. */
  cacheDir?: string;
  /** Lint only this part of the packages (see shard.ts). */
  shard?: Shard;
  /** Files over this many bytes are skipped (MAX_FILE_BYTES by default). */
  maxFileBytes?: number;
  /** Called as directories are done (cached ones at once): for a progress line. */
  progress?: (done: number, total: number) => void;
}

export interface LintResult {
  /** Sorted by file, line, column, rule; suppressed findings carry `suppression`. */
  findings: Finding[];
  /** One line each: files skipped or linted in part, notes about the run. */
  warnings: Warning[];
  /** Failures inside goleak-lint itself: the run's exit code is 2. */
  internalErrors: string[];
  /** The rules that ran, the suppression check when on, and the profile checks that reported (only their metadata is used). */
  rules: Described[];
  /** `skipped`: files asked for but not linted, by reason. */
  stats: { packages: number; files: number; lines: number; skipped: SkipCounts };
  /** Set when profiles ranked the findings: one summary per profile. */
  profiles?: ProfileSummary[];
  /** With --new-from-rev: the open findings left out because they are on unchanged lines. */
  unchanged?: number;
  /** What the result cache served, when one was used. */
  cache?: CacheStats;
}

/** The whole pipeline as a library call: patterns in, sorted findings out. */
export async function lint(options: LintOptions): Promise<LintResult> {
  const cwd = options.cwd ?? process.cwd();
  const configured = selectRules(options.base?.enable, options.base?.disable);
  const rules = selectRules(options.enable, options.disable, configured).map((r) => withSeverity(r, options.severity));
  const found = discover(options.patterns, { cwd, tests: options.tests ?? true });
  if (options.shard) {
    const inShard = shardFilter(options.shard, cwd);
    found.directories = found.directories.filter(({ dir }) => inShard(dir));
  }
  const warnings = [...found.warnings];
  const modules = new ModuleResolver();
  let withoutGoMod = 0;
  const tags = [...new Set(options.tags ?? [])].sort();
  const tasks: Task[] = found.directories.map(({ dir, files }) => {
    const mod = modules.lookup(dir);
    if (!mod) withoutGoMod++;
    const facts: ModuleFacts = mod?.facts ?? { modulePath: null, goVersion: ASSUMED_GO, godebug: {} };
    return {
      dir,
      files,
      root: cwd,
      module: options.goVersion ? { ...facts, goVersion: options.goVersion } : facts,
      rules: rules.map((r) => r.meta.id),
      generated: options.generated ?? false,
      tags,
      named: files.filter((f) => found.named.has(f)),
      reportUnusedIgnores: options.reportUnusedIgnores ?? false,
      maxFileBytes: options.maxFileBytes ?? MAX_FILE_BYTES,
    };
  });
  if (withoutGoMod && !options.goVersion) {
    warnings.push({
      message: `no go.mod found for ${withoutGoMod} director${withoutGoMod === 1 ? 'y' : 'ies'}: assuming an old Go version (use --go to set one)`,
    });
  }
  const jobs = options.jobs ?? availableParallelism();
  let done = 0;
  const run = async (ts: Task[]) => {
    // Tasks the cache served are done already.
    done = tasks.length - ts.length;
    options.progress?.(done, tasks.length);
    if (!ts.length) return [];
    // Loaded only when something is left to lint: a run the cache serves loads no rule's code.
    const { runTasks } = await import('./pool.js');
    return runTasks(ts, jobs, (t) => t.files.length, () => options.progress?.(++done, tasks.length));
  };
  const cached = options.cacheDir ? await runCached(tasks, options.cacheDir, run) : null;
  const outcomes = cached ? cached.outcomes : await run(tasks);
  const stats = { packages: 0, files: 0, lines: 0, skipped: {} as SkipCounts };
  // unused-ignore findings are described like a rule's, for SARIF's rules[] and the HTML report.
  const described = options.reportUnusedIgnores ? [...rules, unusedIgnore] : rules;
  const result: LintResult = { findings: [], warnings, internalErrors: [], rules: described, stats };
  if (cached) {
    result.cache = cached.stats;
    warnings.push(...cached.warnings);
  }
  for (const o of outcomes) {
    if ('error' in o) {
      result.internalErrors.push(`internal error in ${o.task.dir}: ${o.error}`);
      continue;
    }
    const r = o.result;
    result.findings.push(...r.findings);
    result.warnings.push(...r.warnings);
    result.internalErrors.push(...r.internalErrors);
    result.stats.packages += r.packages;
    result.stats.files += r.files;
    result.stats.lines += r.lines;
    for (const [reason, n] of Object.entries(r.skipped ?? {})) addSkip(stats.skipped, reason as SkipReason, n);
  }
  result.findings = sortAndDedupe(await reported(result.findings, found.reportOnly, options.exclude, cwd));
  for (const f of result.findings) f.severity = options.severity?.[f.ruleId] ?? f.severity;
  result.warnings = sortWarnings(result.warnings);
  return result;
}

function withSeverity(rule: Described, severity: Record<string, Severity> | undefined): Described {
  const level = severity?.[rule.meta.id];
  return level ? { ...rule, meta: { ...rule.meta, severity: level } } : rule;
}

/** The findings a user asked about: in the files named (if any), outside excluded paths. */
async function reported(
  findings: Finding[],
  reportOnly: Set<string> | null,
  exclude: LintOptions['exclude'],
  cwd: string,
): Promise<Finding[]> {
  const picomatch = exclude?.globs.length ? (await import('picomatch')).default : null;
  const excluded = picomatch && exclude ? picomatch(exclude.globs.map((g) => g.replace(/\/$/, '/**')), { dot: true }) : null;
  return findings.filter((f) => {
    const file = path.resolve(cwd, f.file);
    if (reportOnly && !reportOnly.has(file)) return false;
    return !excluded || !excluded(toSlash(path.relative(exclude!.dir, file)));
  });
}

function sortAndDedupe(findings: Finding[]): Finding[] {
  const key = (f: Finding) => [f.file, f.startLine, f.startColumn, f.ruleId] as const;
  findings.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
    return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
  });
  return findings.filter((f, i) => {
    const prev = findings[i - 1];
    return !prev || prev.file !== f.file || prev.startLine !== f.startLine || prev.startColumn !== f.startColumn || prev.ruleId !== f.ruleId || prev.message !== f.message;
  });
}
