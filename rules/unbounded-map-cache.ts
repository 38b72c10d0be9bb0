import { loopCallsRelated } from '../src/go/call-chains.js';
import type { SyntaxNode } from '../src/go/tree.js';
import type { Package, Rule } from '../src/engine/types.js';
import { containerLabel, growthReason, growthSource, longLivedContainers, siteList, unboundedInserts, type Insert } from '../src/go/containers.js';
import { finiteDomain, isFiniteType } from '../src/go/model/domain.js';
import { fileOfNode, typeFromSyntax } from '../src/go/model/types.js';
import { enclosingFunction } from '../src/go/syntax.js';

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
      'the map periodically. Not reported: maps filled only where code runs once (init, main outside ' +
      'its loops, sync.Once, what only those reach, exported Register functions), maps pruned anywhere in ' +
      'the package (also through an alias, a helper or a method of the map\'s named type), and keys from ' +
      'a finite set (constants, enums, a loop index bounded by a constant, a parameter every caller passes a constant for, ' +
      'the elements of a configured collection: one set up whole once, in init or by the constructor of the value holding ' +
      'the map, and never appended to, replaced or written into where code runs per call, such as the peers of a cluster).',
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
    optIn:
      'Judged blind on the development corpora, 2 of 30 of its findings grew with use: most long-lived ' +
      'maps in mature code are registries filled at start-up by other packages, or caches keyed by a ' +
      'small domain (peers, schemes, type ids) that the package alone cannot prove finite. Turn it on ' +
      'for code you know, or with a heap profile to see which maps are large.',
    tags: ['memory', 'cache'],
  },
  check(pkg, report) {
    for (const c of longLivedContainers(pkg)) {
      if (c.kind === 'slice' || (c.keyType && isFiniteType(pkg, c.keyType))) continue;
      const inserts = unboundedInserts(pkg, c).filter((site) => !keyedByFiniteValue(pkg, site));
      if (inserts.length === 0) continue;
      const what = c.kind === 'sync.Map' ? 'sync.Map' : 'map cache';
      const added = c.kind === 'sync.Map' ? 'stored' : 'added';
      report({
        node: c.decl,
        file: c.file,
        message:
          // "Only grows": nothing in the package removes an entry.
          `${what} in ${containerLabel(c)} only grows: an entry is ${added} ${growthReason(inserts)} (${siteList(inserts)})`,
        related: [
          ...inserts.map((s) => ({ node: s.node, file: s.file, message: `entry ${added} to ${c.name} here, ${s.how.reason}` })),
          ...loopCallsRelated(pkg, growthSource(inserts).how),
        ],
        evidence: inserts.map((s) => ({ node: s.node, file: s.file })),
      });
    }
  },
};

/** Whether an insert's key comes from a finite domain the package shows (domain.ts), or is derived from types only. */
function keyedByFiniteValue(pkg: Package, site: Insert): boolean {
  if (!site.key) return false;
  return finiteDomain(pkg, site.file, site.key, site.node) || inFunctionOfTypesOnly(pkg, enclosingFunction(site.node));
}

/**
 * A heuristic, named as one: a function of types only (`FuncOf(in, out []Type, variadic bool)`)
 * derives whatever key it caches under from those types, so it has as many entries as there
 * are combinations the program uses, which its types fix.
 */
function inFunctionOfTypesOnly(pkg: Package, fn: SyntaxNode | null): boolean {
  if (!fn) return false;
  const file = fileOfNode(pkg, fn);
  const params = fn.childForFieldName('parameters')?.namedChildren.filter((p) => p.type === 'parameter_declaration' || p.type === 'variadic_parameter_declaration') ?? [];
  return (
    params.length > 0 &&
    params.every((p) => {
      const t = typeFromSyntax(pkg, file, p.childForFieldName('type'));
      return isFiniteType(pkg, t.kind === 'slice' ? t.elem : t);
    })
  );
}
