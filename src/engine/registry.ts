import { catalog } from '../../rules/catalog.js';
import { UsageError } from '../errors.js';
import { profileRules } from '../profile/hotspots.js';
import { unusedIgnore } from './unused-ignore.js';
import { didYouMean } from '../suggest.js';
import type { Described } from './types.js';

/**
 * Every rule, in the order `goleak-lint rules` lists them, from rules/catalog.ts: the
 * rules' metadata without their code, so that a run the cache serves loads no analysis.
 */
export const allDescribed: readonly Described[] = catalog.map((meta) => ({ meta }));

/**
 * Every id a report can carry, as `rules`, `explain` and the docs describe them: the rules,
 * the profile checks (hot spots), then the check of suppression comments.
 */
export const describedRules: ReadonlyMap<string, Described> = new Map(
  [...allDescribed, ...profileRules, unusedIgnore].map((r) => [r.meta.id, r]),
);

/** `unknown rule id "x"`, with the closest known id when one is close. */
export function unknownRuleId(id: string): string {
  return `unknown rule id "${id}"${didYouMean(id, describedRules.keys())} (see: goleak-lint rules)`;
}

/** Whether --enable/--disable leave the rule or profile check `id` on; --enable wins. */
export function ruleEnabled(id: string, enable: string[] = [], disable: string[] = []): boolean {
  return enable.includes(id) || !(disable.includes('all') || disable.includes(id));
}

/**
 * The opt-in rules a profiled run adds on the profile's evidence: those the flags and the
 * config neither enable nor disable (`--disable all` turns them off too).
 */
export function evidenceRules(enable: string[], disable: string[]): string[] {
  if (enable.includes('all') || disable.includes('all')) return [];
  return allDescribed.filter((r) => r.meta.optIn && !enable.includes(r.meta.id) && !disable.includes(r.meta.id)).map((r) => r.meta.id);
}

/** The rules a run without --enable runs: all but the opt-in ones. */
export const defaultRules: readonly Described[] = allDescribed.filter((r) => !r.meta.optIn);

/**
 * `from` (the default rules unless given), minus `disable`, plus `enable` (which wins);
 * `--enable all` adds the opt-in rules; `--disable all --enable x` runs x alone. Unknown ids throw.
 */
export function selectRules(enable: string[] = [], disable: string[] = [], from: readonly Described[] = defaultRules): Described[] {
  for (const id of [...enable, ...disable]) {
    if (!describedRules.has(id) && id !== 'all') {
      throw new UsageError(unknownRuleId(id));
    }
  }
  const named = (r: Described) => enable.includes(r.meta.id) || (enable.includes('all') && !disable.includes(r.meta.id));
  return allDescribed.filter((r) => named(r) || (from.includes(r) && ruleEnabled(r.meta.id, [], disable)));
}
