import { readFileSync } from 'node:fs';
import path from 'node:path';
import { discover } from '../discover.js';
import { applyDirectives, readDirectives } from '../engine/suppress.js';
import { fingerprintOf } from '../engine/fingerprint.js';
import type { Finding } from '../engine/types.js';
import { ModuleResolver } from '../gomod.js';
import type { LintResult } from '../lint.js';
import { SourceFiles } from './sources.js';
import { formatBytes, formatCount, formatShare } from './format.js';
import { goroutineHotspot, goroutineLeakHotspot, heapHotspot, type ProfileRule } from './hotspots.js';
import { Holders } from './holders.js';
import { describeHeld, holderImpact, holdingsOf, hotspotNote, linkFindings, type Holding } from './holdings.js';
import { blockingSite, hangingRules, provesLeak, stacksStartedBy, startedBy } from './leaks.js';
import { TreeFiles, type TreeModule } from './tree-files.js';
import type { LoadedProfile, ProfileImpact, ProfileSummary, Stack } from './types.js';
import { shardFilter, type Shard } from '../shard.js';

export interface RankOptions {
  /** The run's working directory: findings' files are relative to it. */
  cwd: string;
  /** The run's patterns and test setting, to know the tree's Go files. */
  patterns: string[];
  tests: boolean;
  /** A finding whose share of a profile is above this (0..1) is raised to error. */
  threshold: number;
  /** Which hot-spot checks are on (--enable/--disable); goroutine-leak-hotspot only when `leak` is set. */
  hotspots: { heap: boolean; goroutine: boolean; leak?: boolean };
  /**
   * With --shard: hot spots only in the shard's packages, at most MAX_HOTSPOTS per
   * profile of those, so that a hot spot a whole run reports is reported by its shard.
   * (A stack that only another shard's finding explains is not known to be covered here.)
   */
  shard?: Shard;
  /**
   * Rules that ran only on the profile's evidence (the opt-in ones a profiled run adds):
   * their findings stay only when they hold more than the threshold of some profile.
   */
  evidenceOnly?: string[];
}

/** At most this many hot spots per profile. */
const MAX_HOTSPOTS = 5;
/** A goroutine hot spot holds at least this many goroutines: a handful parked at one line is normal. */
const MIN_HOTSPOT_GOROUTINES = 10;

/** A profile with each stack's frames mapped to `file:line` sites of the tree. */
interface Attributed {
  profile: LoadedProfile;
  /** Per stack: the tree sites of its frames, leaf first (null for frames outside the tree). */
  sites: (string | null)[][];
  /** Site → the stacks through it (each once). */
  bySite: Map<string, Set<number>>;
  /** The share denominator: all bytes or goroutines, or with a base all growth. */
  total: number;
}

/** The rules whose findings are leaked goroutines. */
const GOROUTINE_RULE = /^goroutine-(abandoned-send|unclosed-range|blocked-receive|no-exit)$/;

/**
 * Ranks the findings with the profiles: attributes bytes and goroutines to each finding's
 * evidence sites, suffixes its message with them, raises those above the threshold to
 * error, adds hot spots nothing explains, and orders everything by impact.
 */
export function rankWithProfiles(result: LintResult, profiles: LoadedProfile[], options: RankOptions): void {
  const { tree, holders } = treeFiles(options);
  const attributed = profiles.map((p) => attribute(p, tree));
  const covered = attributed.map(() => new Set<number>());
  const sources = new SourceFiles();
  // Heap bytes belong to the container or field that keeps what was allocated (holders.ts).
  const holdings = attributed.map((a) => (a.profile.kind === 'heap' ? holdingsOf(a, holders) : []));
  const ran = new Set(result.rules.map((r) => r.meta.id));
  const inShard = options.shard ? shardFilter(options.shard, options.cwd) : null;
  const made = attributed
    .flatMap((a, i) => linkFindings(result.findings, holdings[i], a, options.threshold, ran))
    .filter((f) => !inShard || inShard(path.dirname(path.resolve(options.cwd, f.file))));
  result.warnings.push(...holders.problems);
  suppressHotspots(made, sources, options.cwd);
  result.findings.push(...made);
  const hanging = hangingRules(result.rules);
  const leakProfile = profiles.some((p) => p.kind === 'goroutineleak');
  const leaked = new Set<Finding>();
  for (const f of result.findings) {
    if (!f.evidence.length) continue;
    const impacts: ProfileImpact[] = [];
    const ranges = functionSites(f, sources, options.cwd);
    const goroutine = GOROUTINE_RULE.test(f.ruleId) || hanging.has(f.ruleId);
    // A leak profile confirms the finding's goroutine wherever it blocks: found by its `go` statement too.
    const started = goroutine && leakProfile ? startedBy(f, sources, options.cwd) : [];
    // A leaked goroutine holds what it allocated and what the call that started it allocated for it.
    const keeps = GOROUTINE_RULE.test(f.ruleId)
      ? functionSites({ ...f, evidence: [...f.evidence, ...f.related.map((r) => ({ file: r.file, line: r.startLine }))] }, sources, options.cwd)
      : null;
    attributed.forEach((a, i) => {
      const byStart = a.profile.kind === 'goroutineleak' ? stacksStartedBy(a, started, sources, options.cwd) : undefined;
      const hit =
        impactOf(f, a, ranges, holdings[i].find((h) => h.finding === f), byStart) ??
        (keeps && a.profile.kind === 'heap' ? keptByGoroutines(a, keeps) : null);
      if (!hit) return;
      impacts.push(hit.impact);
      for (const s of hit.stacks) covered[i].add(s);
    });
    f.profile = impacts;
    f.message += suffix(f, impacts);
    if (goroutine && impacts.some(provesLeak)) leaked.add(f);
    if (leaked.has(f) || impacts.some((imp) => imp.share > options.threshold)) f.severity = 'error';
    // No hot spot should point again at what the goroutine keeps.
    if (keeps) attributed.forEach((a, i) => stacksInFunctions(a, keeps).forEach((s) => covered[i].add(s)));
  }
  const evidenceOnly = new Set(options.evidenceOnly);
  result.findings = result.findings.filter(
    (f) => !evidenceOnly.has(f.ruleId) || leaked.has(f) || (f.profile ?? []).some((p) => p.share > options.threshold),
  );
  const hotspots = attributed.flatMap((a, i) => hotspotsOf(a, covered[i], options, holdings[i]));
  suppressHotspots(hotspots, sources, options.cwd);
  result.findings.push(...hotspots);
  result.profiles = attributed.map((a, i) => summarise(a, covered[i]));
  const used = new Set(hotspots.map((h) => h.ruleId));
  const described: ProfileRule[] = [heapHotspot, goroutineHotspot, goroutineLeakHotspot].filter((r) => used.has(r.meta.id));
  result.rules = [...result.rules, ...described];
  result.findings = byImpact(result.findings);
}

function treeFiles(options: RankOptions): { tree: TreeFiles; holders: Holders } {
  const found = discover(options.patterns, { cwd: options.cwd, tests: options.tests });
  const resolver = new ModuleResolver();
  const modules = new Map<string, TreeModule>();
  for (const d of found.directories) {
    const mod = resolver.lookup(d.dir);
    if (mod?.facts.modulePath) modules.set(mod.root, { root: mod.root, modulePath: mod.facts.modulePath });
  }
  const tree = new TreeFiles(options.cwd, found.directories.flatMap((d) => d.files), [...modules.values()]);
  return { tree, holders: new Holders(options.cwd, found.directories, resolver) };
}

function attribute(profile: LoadedProfile, tree: TreeFiles): Attributed {
  const bySite = new Map<string, Set<number>>();
  const sites = profile.stacks.map((stack, i) => {
    const keys = stack.frames.map((fr) => {
      const file = tree.map(fr.file);
      return file === null ? null : `${file}:${fr.line}`;
    });
    for (const k of keys) {
      if (k === null) continue;
      let set = bySite.get(k);
      if (!set) bySite.set(k, (set = new Set()));
      set.add(i);
    }
    return keys;
  });
  return { profile, sites, bySite, total: totalOf(profile) };
}

/** All values; with a base, the growth: the positive net change of each distinct stack. */
function totalOf(profile: LoadedProfile): number {
  if (!profile.base) return profile.stacks.reduce((sum, s) => sum + s.value, 0);
  const net = new Map<string, number>();
  for (const s of profile.stacks) {
    const key = s.frames.map((f) => `${f.function}@${f.file}:${f.line}`).join('|');
    net.set(key, (net.get(key) ?? 0) + s.value);
  }
  let growth = 0;
  for (const v of net.values()) if (v > 0) growth += v;
  return growth;
}

function sum(stacks: Iterable<number>, profile: LoadedProfile, field: 'value' | 'objects' = 'value'): number {
  let total = 0;
  for (const i of stacks) total += profile.stacks[i][field];
  return total;
}

/** With a base, the newer profile's own value on the stacks (its base stacks left out). */
function current(stacks: Iterable<number>, profile: LoadedProfile): number {
  return sum([...stacks].filter((i) => !profile.stacks[i].fromBase), profile);
}

/** What the profile attributes to a finding's evidence sites, or null when no stack passes them. */
/** Per evidence file, the line ranges of the functions that hold the finding's evidence. */
function functionSites(f: Finding, sources: SourceFiles, cwd: string): Map<string, { start: number; end: number }[]> {
  const ranges = new Map<string, { start: number; end: number }[]>();
  for (const e of f.evidence) {
    const range = sources.functionAround(path.resolve(cwd, e.file), e.line);
    if (!range) continue;
    const list = ranges.get(e.file) ?? [];
    list.push(range);
    ranges.set(e.file, list);
  }
  return ranges;
}

/** The stacks with a frame inside one of the ranges (functions are short: walk their lines). */
function stacksInFunctions(a: Attributed, ranges: Map<string, { start: number; end: number }[]>): Set<number> {
  const stacks = new Set<number>();
  for (const [file, list] of ranges) {
    for (const r of list) {
      for (let line = r.start; line <= r.end; line++) for (const s of a.bySite.get(`${file}:${line}`) ?? []) stacks.add(s);
    }
  }
  return stacks;
}

/**
 * With `held`, the holding of the container the finding reports: the bytes it keeps count too.
 * `byStart`: the stacks of the goroutines the finding's `go` statements start, in a leak profile.
 */
function impactOf(
  f: Finding,
  a: Attributed,
  ranges: Map<string, { start: number; end: number }[]>,
  held: Holding | undefined,
  byStart?: Set<number>,
): { impact: ProfileImpact; stacks: Set<number> } | null {
  const sites = new Set(f.evidence.map((e) => `${e.file}:${e.line}`));
  const stacks = new Set<number>([...(held?.stacks ?? []), ...(byStart ?? [])]);
  let best: { site: string; value: number } | null = null;
  for (const site of sites) {
    const through = a.bySite.get(site);
    if (!through) continue;
    for (const s of through) stacks.add(s);
    const value = sum(through, a.profile);
    if (!best || value > best.value) best = { site, value };
  }
  if (held) best = { site: holderImpact(held).allocated[0], value: 0 };
  const blocking = !best && byStart?.size ? blockingSite(a, byStart) : null;
  if (blocking) best = { site: blocking, value: 0 };
  if (!best) return null;
  const p = a.profile;
  const value = sum(stacks, p);
  const flatStacks = [...stacks].filter((s) => a.sites[s][0] !== null && sites.has(a.sites[s][0] as string));
  const impact: ProfileImpact = {
    kind: p.kind,
    profile: p.source,
    value,
    flat: sum(flatStacks, p),
    inFunction: sum(stacksInFunctions(a, ranges), p),
    objects: sum(stacks, p, 'objects'),
    share: a.total > 0 ? Math.max(0, value) / a.total : 0,
    growth: p.base !== undefined,
    site: best.site,
    function: functionAt(a, best.site),
  };
  if (held) impact.holder = holderImpact(held);
  if (p.base) impact.current = current(stacks, p);
  return { impact, stacks };
}

/**
 * The heap a goroutine finding keeps: bytes in use on stacks through the functions of its
 * goroutine and of the call that starts it, charged at the line (innermost in the tree) that
 * allocated the most of them.
 */
function keptByGoroutines(a: Attributed, functions: Map<string, { start: number; end: number }[]>): { impact: ProfileImpact; stacks: Set<number> } | null {
  const stacks = stacksInFunctions(a, functions);
  const p = a.profile;
  const value = sum(stacks, p);
  if (value <= 0) return null;
  const bySite = new Map<string, number>();
  for (const s of stacks) {
    const site = a.sites[s].find((k) => k !== null);
    if (site) bySite.set(site, (bySite.get(site) ?? 0) + p.stacks[s].value);
  }
  const site = [...bySite].reduce((best, e) => (e[1] > best[1] ? e : best))[0];
  const impact: ProfileImpact = {
    kind: p.kind,
    profile: p.source,
    value,
    flat: 0,
    inFunction: value,
    objects: sum(stacks, p, 'objects'),
    share: a.total > 0 ? value / a.total : 0,
    growth: p.base !== undefined,
    site,
    function: functionAt(a, site),
    keptByGoroutines: true,
  };
  if (p.base) impact.current = current(stacks, p);
  return { impact, stacks };
}

/** The Go function a site's frames belong to (of the stack with the most there). */
function functionAt(a: Attributed, site: string): string {
  let best: Stack | null = null;
  let name = '';
  for (const s of a.bySite.get(site) ?? []) {
    const stack = a.profile.stacks[s];
    if (best && stack.value <= best.value) continue;
    const at = a.sites[s].indexOf(site);
    best = stack;
    name = stack.frames[at].function;
  }
  return name;
}

/** ` — heap: 48.2 MiB in use (37% of heap) at cache.go:42`, or why there is nothing to say. */
function suffix(f: Finding, impacts: ProfileImpact[]): string {
  if (!impacts.length) return ' — not seen in profile';
  return impacts
    .map((imp) => {
      if (imp.holder) return ` — ${describeHeld(imp)}`;
      if (imp.keptByGoroutines) return ` — ${describeImpact(imp, `allocated by these goroutines and the calls that start them, most ${where(imp.site, f)}`)}`;
      return ` — ${describeImpact(imp, where(imp.site, f))}`;
    })
    .join('');
}

/**
 * `here` when the site is the finding's own line, else `at file.go:line`: evidence is in
 * the finding's package, so its directory, and the base name says where from any working directory.
 */
function where(site: string, f: Finding): string {
  const colon = site.lastIndexOf(':');
  const file = site.slice(0, colon);
  const line = Number(site.slice(colon + 1));
  if (file === f.file && line === f.startLine) return 'here';
  return `at ${path.posix.basename(file)}:${line}`;
}

function describeImpact(imp: ProfileImpact, at: string): string {
  if (imp.kind === 'heap') {
    if (imp.growth) {
      if (imp.value <= 0) return `heap: no growth (${formatBytes(imp.value)}) ${at}`;
      return `heap: +${formatBytes(imp.value)} growth (${formatShare(imp.share)} of growth) ${at}`;
    }
    return `heap: ${formatBytes(imp.value)} in use (${formatShare(imp.share)} of heap) ${at}`;
  }
  const n = formatCount(imp.value);
  if (imp.kind === 'goroutineleak') {
    if (!imp.growth) return `goroutine leak profile: ${n} leaked ${at}`;
    const now = formatCount(imp.current ?? 0);
    if (imp.value <= 0) return `goroutine leak profile: ${now} leaked, none since the base ${at}`;
    return `goroutine leak profile: +${n} leaked since the base (${formatShare(imp.share)} of growth; ${now} in all) ${at}`;
  }
  if (imp.growth) return imp.value <= 0 ? `goroutines: no more blocked than in the base ${at}` : `goroutines: +${n} blocked since the base ${at}`;
  return `goroutines: ${n} blocked ${at}`;
}

/** The tree's sites holding the most that no finding covers, as hot-spot notes. */
function hotspotsOf(a: Attributed, covered: Set<number>, options: RankOptions, holdings: Holding[]): Finding[] {
  const p = a.profile;
  const heap = p.kind === 'heap';
  const on = heap ? options.hotspots.heap : p.kind === 'goroutineleak' ? options.hotspots.leak === true : options.hotspots.goroutine;
  if (!on) return [];
  const inShard = options.shard ? shardFilter(options.shard, options.cwd) : null;
  const bySite = new Map<string, { value: number; objects: number; flat: number; stacks: number[] }>();
  a.sites.forEach((keys, s) => {
    if (covered.has(s)) return;
    const own = keys.find((k) => k !== null);
    if (!own) return;
    let entry = bySite.get(own);
    if (!entry) bySite.set(own, (entry = { value: 0, objects: 0, flat: 0, stacks: [] }));
    entry.value += p.stacks[s].value;
    entry.objects += p.stacks[s].objects;
    if (keys[0] === own) entry.flat += p.stacks[s].value;
    entry.stacks.push(s);
  });
  const minimum = heap ? 1 : p.kind === 'goroutineleak' ? 1 : MIN_HOTSPOT_GOROUTINES;
  return [...bySite.entries()]
    .filter(([, e]) => e.value >= minimum && a.total > 0 && e.value / a.total > options.threshold)
    .filter(([site]) => !inShard || inShard(path.dirname(path.resolve(options.cwd, site.slice(0, site.lastIndexOf(':'))))))
    .sort((x, y) => y[1].value - x[1].value || (x[0] < y[0] ? -1 : 1))
    .slice(0, MAX_HOTSPOTS)
    .map(([site, e]) => {
      const impact: ProfileImpact = {
        kind: p.kind,
        profile: p.source,
        value: e.value,
        flat: e.flat,
        inFunction: e.value,
        objects: e.objects,
        share: e.value / a.total,
        growth: p.base !== undefined,
        site,
        function: functionAt(a, site),
      };
      if (p.base) impact.current = current(e.stacks, p);
      return hotspotFinding(impact, options.cwd, heap ? hotspotNote(holdings, e.stacks, p) : null);
    });
}

/** `note` names who keeps a heap hot spot's bytes (holdings.ts), when the model sees it. */
function hotspotFinding(imp: ProfileImpact, cwd: string, note: string | null): Finding {
  const colon = imp.site.lastIndexOf(':');
  const file = imp.site.slice(0, colon);
  const line = Number(imp.site.slice(colon + 1));
  const { start, end, text } = lineSpan(path.resolve(cwd, file), line);
  const fn = shortFunction(imp.function);
  const message =
    imp.kind === 'heap'
      ? `${describeImpact(imp, `allocated here by ${fn}`)}, ${note ?? 'and no rule explains it: check whether what is allocated here is kept for good (a cache or map never pruned, a slice that only grows, a buffer held by a long-lived value)'}`
      : imp.kind === 'goroutineleak'
        ? `${describeImpact(imp, `here in ${fn}`)}: the GC found them blocked on what no running goroutine can reach, and no rule explains it`
        : `goroutines: ${imp.growth ? '+' : ''}${formatCount(imp.value)} parked here in ${fn} (${formatShare(imp.share)} of ${imp.growth ? 'growth since the base' : 'goroutines'}), and no rule explains it: find what should wake them (a send, a receive, a close, a cancel) and make it happen on every path`;
  const rule = imp.kind === 'heap' ? heapHotspot : imp.kind === 'goroutineleak' ? goroutineLeakHotspot : goroutineHotspot;
  const ruleId = rule.meta.id;
  return {
    ruleId,
    severity: rule.meta.severity,
    message,
    file,
    startLine: line,
    startColumn: start,
    endLine: line,
    endColumn: end,
    related: [],
    evidence: [{ file, line }],
    fingerprint: fingerprintOf(ruleId, imp.function, text),
    profile: [imp],
  };
}

/** `//goleak-lint:ignore heap-hotspot reason` on or above a hot spot's line silences it, as for a rule. */
function suppressHotspots(hotspots: Finding[], sources: SourceFiles, cwd: string): void {
  for (const file of new Set(hotspots.map((h) => h.file))) {
    const goFile = sources.goFile(path.resolve(cwd, file), file);
    if (!goFile) continue;
    applyDirectives(
      hotspots.filter((h) => h.file === file),
      readDirectives(goFile).directives,
    );
  }
}

/** `svc.(*Cache).Put` from `example.com/svc.(*Cache).Put`: the package's last path element. */
function shortFunction(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1) || 'unknown function';
}

/** 1-based UTF-16 columns of a line's text without its indentation; the whole line when unreadable. */
function lineSpan(file: string, line: number): { start: number; end: number; text: string } {
  let text = '';
  try {
    text = readFileSync(file, 'utf8').split('\n')[line - 1] ?? '';
  } catch {
    text = '';
  }
  text = text.replace(/\r$/, '');
  const start = text.length - text.trimStart().length + 1;
  return { start: Math.min(start, text.length + 1), end: text.length + 1, text };
}

function summarise(a: Attributed, covered: Set<number>): ProfileSummary {
  const p = a.profile;
  const inTree = a.sites.reduce((acc, keys, s) => (keys.some((k) => k !== null) ? acc + p.stacks[s].value : acc), 0);
  const names = new Set(p.stacks.flatMap((s) => s.frames.map((f) => f.file)));
  const mapped = new Set(a.sites.flatMap((keys, s) => keys.flatMap((k, i) => (k === null ? [] : [p.stacks[s].frames[i].file]))));
  const summary: ProfileSummary = {
    profile: p.source,
    kind: p.kind,
    total: a.total,
    inTree,
    explained: sum(covered, p),
    filesMapped: mapped.size,
    filesUnmapped: names.size - mapped.size,
  };
  if (p.base) summary.base = p.base;
  return summary;
}

/** Highest share first; findings no profile sees keep their order, after the others. */
function byImpact(findings: Finding[]): Finding[] {
  const score = (f: Finding) => (f.profile?.length ? Math.max(...f.profile.map((p) => p.share), 0) : -1);
  return findings
    .map((f, i) => ({ f, i, s: score(f) }))
    .sort((x, y) => y.s - x.s || x.i - y.i)
    .map((x) => x.f);
}
