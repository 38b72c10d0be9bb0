import path from 'node:path';
import type { Finding } from '../engine/types.js';
import { fingerprintOf } from '../engine/fingerprint.js';
import { formatBytes, formatShare } from './format.js';
import type { Holder, Holders } from './holders.js';
import type { LoadedProfile, ProfileImpact } from './types.js';

/*
 * Charging heap samples to the holders (holders.ts) of what they allocated: a holder that
 * a finding reports (the container's declaration) gets the bytes in that finding; one that
 * a heuristic kept the rules quiet about gets a finding of its own when it holds more than
 * the threshold (evidence outranks a heuristic); a bounded one or a field that keeps a value
 * is named in the hot spot's note instead of "no rule explains it".
 */

/** The rules whose findings are reported at a container's declaration. */
const CONTAINER_RULES: Record<Holder['kind'], string | null> = {
  map: 'unbounded-map-cache',
  'sync.Map': 'unbounded-map-cache',
  slice: 'append-only-slice',
  value: null,
};

/** What one holder keeps in one profile. */
export interface Holding {
  holder: Holder;
  /** The stacks whose allocations it keeps. */
  stacks: Set<number>;
  /** Allocation site (`file:line`) → bytes of those stacks allocated there. */
  allocated: Map<string, number>;
  /** The finding that reports the holder, once known. */
  finding: Finding | null;
}

/** A profile with each stack's tree sites, leaf first (as rank.ts attributes it). */
interface Sited {
  profile: LoadedProfile;
  sites: (string | null)[][];
}

/** The holders of each stack's allocation: the value allocated at its leaf-most frame in the tree. */
export function holdingsOf(a: Sited, holders: Holders): Holding[] {
  const byHolder = new Map<string, Holding>();
  a.sites.forEach((keys, s) => {
    const k = keys.findIndex((key) => key !== null);
    if (k < 0) return;
    const stack = a.profile.stacks[s];
    const site = keys[k]!;
    for (const holder of holders.heldAt(site, k > 0 ? stack.frames[k - 1].function : null)) {
      const id = `${holder.file}:${holder.line}:${holder.name}`;
      let h = byHolder.get(id);
      if (!h) byHolder.set(id, (h = { holder, stacks: new Set(), allocated: new Map(), finding: null }));
      h.stacks.add(s);
      h.allocated.set(site, (h.allocated.get(site) ?? 0) + stack.value);
    }
  });
  return [...byHolder.values()];
}

/** The bytes a holding keeps. */
export function heldValue(h: Holding, profile: LoadedProfile): number {
  let v = 0;
  for (const s of h.stacks) v += profile.stacks[s].value;
  return v;
}

/**
 * Links each holding to the finding at its holder's declaration, and makes one for a growing
 * container above the threshold that no finding reports (a heuristic judged it harmless), when
 * its rule ran. Returns the new findings.
 */
export function linkFindings(findings: Finding[], holdings: Holding[], a: Sited & { total: number }, threshold: number, ran: Set<string>): Finding[] {
  const made: Finding[] = [];
  for (const h of holdings) {
    const rule = CONTAINER_RULES[h.holder.kind];
    if (!rule) continue;
    const at = (f: Finding) => f.ruleId === rule && f.file === h.holder.file && f.startLine === h.holder.line;
    h.finding = findings.find(at) ?? made.find(at) ?? null;
    if (h.finding || !ran.has(rule) || (h.holder.verdict.kind !== 'grows' && h.holder.verdict.kind !== 'once')) continue;
    const share = a.total > 0 ? heldValue(h, a.profile) / a.total : 0;
    if (share <= threshold) continue;
    h.finding = holderFinding(h.holder, rule);
    made.push(h.finding);
  }
  return made;
}

function holderFinding(holder: Holder, ruleId: string): Finding {
  const what = holder.kind === 'slice' ? 'slice' : holder.kind === 'sync.Map' ? 'sync.Map' : 'map cache';
  const where = holder.stored ? ` (${path.posix.basename(holder.stored.slice(0, holder.stored.lastIndexOf(':')))}:${holder.stored.slice(holder.stored.lastIndexOf(':') + 1)})` : '';
  const grows =
    holder.verdict.kind === 'grows'
      ? `${what} in ${holder.label} gains entries${where} that nothing removes`
      : `${what} in ${holder.label} is filled${where} by code the model judged to run once`;
  const overruled = holder.judgement ? `a heuristic (${holder.judgement})` : holder.verdict.kind === 'once' ? 'that judgement' : null;
  const column = holder.column;
  return {
    ruleId,
    severity: 'warning',
    message: overruled ? `${grows}; reported on the profile's evidence, which overrules ${overruled}` : grows,
    file: holder.file,
    startLine: holder.line,
    startColumn: column,
    endLine: holder.line,
    endColumn: column + holder.text.length,
    related: holder.stored ? [{ ...siteSpan(holder.stored), message: `values stored in ${holder.name} here` }] : [],
    evidence: holder.stored ? [siteOf(holder.stored)] : [],
    fingerprint: fingerprintOf(ruleId, holder.name, holder.text),
  };
}

function siteOf(site: string): { file: string; line: number } {
  const colon = site.lastIndexOf(':');
  return { file: site.slice(0, colon), line: Number(site.slice(colon + 1)) };
}

function siteSpan(site: string) {
  const { file, line } = siteOf(site);
  return { file, startLine: line, startColumn: 1, endLine: line, endColumn: 1 };
}

/** `load.go:13`, `load.go:13 and load.go:17`, `a.go:1, a.go:5 and 3 more`. */
function siteList(sites: string[]): string {
  const short = sites.map(shortSite);
  return short.length > 2 ? `${short.slice(0, 2).join(', ')} and ${short.length - 2} more` : short.join(' and ');
}

function shortSite(site: string): string {
  const { file, line } = siteOf(site);
  return `${path.posix.basename(file)}:${line}`;
}

/** What a finding's impact says when a holder keeps its bytes (ProfileImpact.holder): allocation sites most bytes first. */
export function holderImpact(h: Holding): NonNullable<ProfileImpact['holder']> {
  const allocated = [...h.allocated.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).map(([s]) => s);
  return { name: h.holder.name, allocated, stored: h.holder.stored };
}

/** `Cache.data holds 15.8 MiB (84% of heap): values allocated at load.go:13 and load.go:17, stored at cache.go:33`. */
export function describeHeld(imp: ProfileImpact): string {
  const held = imp.holder!;
  const amount = imp.growth ? `grew by ${formatBytes(imp.value)} (${formatShare(imp.share)} of growth)` : `holds ${formatBytes(imp.value)} (${formatShare(imp.share)} of heap)`;
  // The insert's own allocations (buckets, a backing array) go without saying at `stored at`.
  const elsewhere = held.allocated.filter((s) => s !== held.stored);
  if (held.stored && elsewhere.length === 0) return `${held.name} ${amount}: values allocated and stored at ${shortSite(held.stored)}`;
  const stored = held.stored ? `, stored at ${shortSite(held.stored)}` : '';
  return `${held.name} ${amount}: values allocated at ${siteList(elsewhere)}${stored}`;
}

/**
 * The hot-spot note for stacks a holder keeps that no finding reports: who keeps them,
 * and that a bounded container is bounded. Null when no holder the model sees keeps them.
 */
export function hotspotNote(holdings: Holding[], stacks: number[], profile: LoadedProfile): string | null {
  let best: Holding | null = null;
  let bestValue = 0;
  for (const h of holdings) {
    if (h.finding) continue;
    let v = 0;
    for (const s of stacks) if (h.stacks.has(s)) v += profile.stacks[s].value;
    if (v > bestValue) {
      best = h;
      bestValue = v;
    }
  }
  if (!best) return null;
  const holder = best.holder;
  const at = `held by ${holder.label} (${path.posix.basename(holder.file)}:${holder.line})`;
  switch (holder.verdict.kind) {
    case 'bounded':
      return `${at}, which is bounded: ${holder.verdict.why}; a working set, not a leak, unless the bound is too large`;
    case 'grows':
      return `${at}, which only grows: enable ${CONTAINER_RULES[holder.kind]} to report it`;
    case 'once':
      return `${at}, filled by code the model judged to run once: enable ${CONTAINER_RULES[holder.kind]} to report it`;
    default:
      return `${at}: check that it should keep this much, and for how long`;
  }
}
