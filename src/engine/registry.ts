import { allRules } from '../../rules/index.js';
import { UsageError } from '../errors.js';
import type { Rule } from './types.js';

/** Every rule, by id. The only place in src/ that knows the rules. */
export const ruleRegistry: ReadonlyMap<string, Rule> = new Map(allRules.map((r) => [r.meta.id, r]));

/**
 * `from` (every rule by default), minus `disable`, plus `enable` (which wins);
 * `--disable all --enable x` runs x alone. Unknown ids throw.
 */
export function selectRules(enable: string[] = [], disable: string[] = [], from: Rule[] = allRules): Rule[] {
  for (const id of [...enable, ...disable]) {
    if (!ruleRegistry.has(id) && !(id === 'all' && disable.includes(id))) {
      throw new UsageError(`unknown rule id "${id}" (see: goleak-lint rules)`);
    }
  }
  const off = new Set(disable);
  return allRules.filter((r) => enable.includes(r.meta.id) || (from.includes(r) && !(off.has('all') || off.has(r.meta.id))));
}
