import { allRules } from '../../rules/index.js';
import { UsageError } from '../errors.js';
import { profileRules } from '../profile/hotspots.js';
import type { Rule, RuleMeta } from './types.js';

/** Every rule, by id. The only place in src/ that knows the rules. */
export const ruleRegistry: ReadonlyMap<string, Rule> = new Map(allRules.map((r) => [r.meta.id, r]));

/** What `rules`, `explain` and the docs describe: the rules, then the profile checks (hot spots). */
export const describedRules: ReadonlyMap<string, { meta: RuleMeta }> = new Map(
  [...allRules, ...profileRules].map((r) => [r.meta.id, r]),
);

/** Whether --enable/--disable leave the rule or profile check `id` on; --enable wins. */
export function ruleEnabled(id: string, enable: string[] = [], disable: string[] = []): boolean {
  return enable.includes(id) || !(disable.includes('all') || disable.includes(id));
}

/**
 * `from` (every rule by default), minus `disable`, plus `enable` (which wins);
 * `--disable all --enable x` runs x alone. Unknown ids throw.
 */
export function selectRules(enable: string[] = [], disable: string[] = [], from: Rule[] = allRules): Rule[] {
  for (const id of [...enable, ...disable]) {
    if (!describedRules.has(id) && !(id === 'all' && disable.includes(id))) {
      throw new UsageError(`unknown rule id "${id}" (see: goleak-lint rules)`);
    }
  }
  return allRules.filter((r) => enable.includes(r.meta.id) || (from.includes(r) && ruleEnabled(r.meta.id, [], disable)));
}
