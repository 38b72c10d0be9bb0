import type { SyntaxNode } from '../src/go/tree.js';
import type { Package, Rule } from '../src/engine/types.js';
import type { Container, Site } from '../src/go/containers.js';
import {
  containerLabel,
  declaredType,
  hasConstantsOfType,
  insertedKey,
  longLivedContainers,
  siteList,
  unboundedInserts,
} from '../src/go/containers.js';
import { valuesBoundTo } from '../src/go/scopes.js';
import { enclosingFunction } from '../src/go/syntax.js';
import { declaredTypeName } from '../src/go/types.js';

/** Keys from a finite domain: types, kinds, signals, flags, modes, booleans and bytes. Such a map stops growing. */
const FINITE_KEY = /^(bool|byte|u?int8|\*?reflect\.(Type|Value)|\*?\w*rtype|(\*?\w+\.)?\w*(Type|Kind|TypeId|TypeID|typeId|Signal|Flag|Flags|Mode))$/;
/** Calls that yield a type: `reflect.TypeOf(v)`, `v.Type`, `t.Elem`. */
const TYPE_OF_CALL = /(TypeOf|\.Type|\.Elem)$/;

export const unboundedMapCache: Rule = {
  meta: {
    id: 'unbounded-map-cache',
    title: 'Long-lived map is filled but never pruned',
    why:
      'A map held by a package variable or by a long-lived struct (a server, a client, a registry) ' +
      'lives as long as the process. When request-time code adds entries keyed by user ids, session ' +
      'ids, URLs or other open-ended values, and nothing in the package ever deletes, clears, ' +
      're-makes or size-checks the map, every new key stays forever: memory grows with traffic until ' +
      'the process is restarted or killed. The same holds for a sync.Map that is stored to but never deleted from.',
    fix:
      'Bound the map: evict an entry when len(m) exceeds a limit, give entries a TTL and delete ' +
      'expired ones (on a timer or on access), use an LRU (container/list plus delete), or reset ' +
      'the map periodically. Maps filled with a fixed set of keys (at init, by Register functions, ' +
      'with constant keys) are not reported.',
    example: {
      bad:
        'var userCache = map[string]*User{}\n\nfunc lookup(id string) *User {\n\tmu.Lock()\n\tdefer mu.Unlock()\n' +
        '\tif u, ok := userCache[id]; ok {\n\t\treturn u\n\t}\n\tu := load(id)\n\tuserCache[id] = u\n\treturn u\n}',
      good:
        'var userCache = map[string]*User{}\n\nfunc lookup(id string) *User {\n\tmu.Lock()\n\tdefer mu.Unlock()\n' +
        '\tif u, ok := userCache[id]; ok {\n\t\treturn u\n\t}\n\tif len(userCache) >= maxUsers {\n\t\tclear(userCache)\n\t}\n' +
        '\tu := load(id)\n\tuserCache[id] = u\n\treturn u\n}',
    },
    severity: 'warning',
    precision: 'medium',
    inTests: 'skipped',
    tags: ['memory', 'cache'],
  },
  check(pkg, report) {
    for (const c of longLivedContainers(pkg)) {
      if (c.kind === 'slice' || (c.keyType && finiteKeyType(c.keyType.text, pkg))) continue;
      const inserts = unboundedInserts(pkg, c).filter((site) => !keyedByFiniteValue(site, c, pkg));
      if (inserts.length === 0) continue;
      const what = c.kind === 'sync.Map' ? 'sync.Map' : 'map cache';
      const added = c.kind === 'sync.Map' ? 'stored' : 'added';
      report({
        node: c.decl,
        file: c.file,
        message:
          `${what} in ${containerLabel(c)} grows without bound: entries are ${added} (${siteList(inserts)}) ` +
          `but never deleted, cleared or size-checked anywhere in the package; bound it (evict when len ` +
          `exceeds a limit), give entries a TTL, or use an LRU`,
        related: inserts.map((s) => ({ ...s, message: `entry ${added} to ${c.name} here` })),
        evidence: inserts,
      });
    }
  },
};

/**
 * A key type with few values: a type, a kind, a bool, a byte, an enum the package declares
 * constants of, or a struct of the package holding a type (`cacheKey{kind, t1, t2}`).
 */
function finiteKeyType(type: string, pkg: Package): boolean {
  if (FINITE_KEY.test(type) || hasConstantsOfType(pkg, type)) return true;
  const struct = declaredType(pkg, type.replace(/^\*/, ''));
  return struct?.type === 'struct_type' && struct.descendantsOfType('field_declaration').some((f) => FINITE_KEY.test(f.childForFieldName('type')?.text ?? ''));
}

/** A function of types only (`FuncOf(in, out []Type, variadic bool)`): whatever key it derives, there are as many as types. */
function takesOnlyTypes(fn: SyntaxNode): boolean {
  const params = fn.childForFieldName('parameters')?.namedChildren.filter((p) => p.type === 'parameter_declaration') ?? [];
  return params.length > 0 && params.every((p) => FINITE_KEY.test((p.childForFieldName('type')?.text ?? '').replace(/^(\[\]|\.\.\.)/, '')));
}

/**
 * Whether an insert's key comes from a finite domain, judged from the key expression (a
 * sync.Map declares no key type): `reflect.TypeOf(v)`, `v.Type()`, or a variable declared
 * with such a type or set from such a call in the inserting function (`func cachedFields(t reflect.Type)`,
 * `t := v.Type()`).
 */
function keyedByFiniteValue(site: Site, c: Container, pkg: Package): boolean {
  const key = insertedKey(site.node, c);
  const fn = enclosingFunction(site.node);
  if (!key || !fn) return false;
  if (takesOnlyTypes(fn)) return true;
  if (key.type === 'call_expression' && TYPE_OF_CALL.test(key.childForFieldName('function')?.text ?? '')) return true;
  if (key.type !== 'identifier') return false;
  const type = declaredTypeName(key, fn);
  if (type !== null) return finiteKeyType(type, pkg);
  return valuesBoundTo(key.text, fn).some((v) => v.type === 'call_expression' && TYPE_OF_CALL.test(v.childForFieldName('function')?.text ?? ''));
}
