import type { SyntaxNode, Tree } from 'tree-sitter';
import type { GoFile, Package } from '../../engine/types.js';
import { FUNCTION_TYPES, lineOf, unparen } from '../syntax.js';
import { callersOf, calleesOf } from './calls.js';
import { objectOf } from './names.js';
import { fieldOfSelector, fileOfNode, isNamed, receiverTypeName, typeOf } from './types.js';

/**
 * How often a statement can run, least to most. A leak needs something that accumulates:
 * per call or per iteration. Once per value is per call of the constructor, bounded by the
 * values that live.
 */
export type Frequency = 'once-per-process' | 'once-per-value' | 'per-call' | 'per-iteration';

const ORDER: Frequency[] = ['once-per-process', 'once-per-value', 'per-call', 'per-iteration'];

export interface HowOften {
  kind: Frequency;
  /** Why, for a message: "in main", "per call of (*Client).Watch", "in the loop at line 12 of poll". */
  reason: string;
}

const byTree = new WeakMap<Tree, Map<number, HowOften>>();
const inProgress = new Set<string>();

/** How often `node` runs, with the reason. */
export function frequencyOf(pkg: Package, node: SyntaxNode): HowOften {
  let child: SyntaxNode = node;
  for (let n = node.parent; n; child = n, n = n.parent) {
    // A loop's body repeats; its initializer and range expression run once.
    if (n.type === 'for_statement' && child.type === 'block') {
      return { kind: 'per-iteration', reason: `in the loop at line ${lineOf(n)} of ${displayName(enclosing(n))}` };
    }
    if (n.type === 'func_literal') {
      const how = literalFrequency(pkg, n);
      if (how) return how;
      continue; // called in place, started or deferred where it stands, or bound to a local: runs where it is written
    }
    if (FUNCTION_TYPES.has(n.type)) return functionFrequency(pkg, n);
  }
  return { kind: 'once-per-process', reason: 'in a package-level initializer' };
}

/**
 * A func literal that does not run where it is written: inside `once.Do`, or handed to code
 * the model cannot see (another package's call, a field, a return). Null when it runs in place.
 */
function literalFrequency(pkg: Package, lit: SyntaxNode): HowOften | null {
  let ref: SyntaxNode = lit;
  while (ref.parent?.type === 'parenthesized_expression') ref = ref.parent;
  const parent = ref.parent;
  if (parent?.type === 'call_expression' && parent.childForFieldName('function')?.id === ref.id) return null;
  if (parent?.type === 'argument_list') {
    const call = parent.parent!;
    const file = fileOfNode(pkg, lit);
    const once = onceOfDo(pkg, file, call);
    if (once) return once;
    if (calleesOf(pkg, file, call).length) return null; // package code runs it while the call lasts (approximately)
    const callee = call.childForFieldName('function')?.text ?? 'a call';
    return { kind: 'per-call', reason: `in a callback handed to ${callee}` };
  }
  if (parent?.type === 'expression_list' && parent.parent?.type === 'short_var_declaration') return null;
  if (parent?.type === 'expression_list' && parent.parent?.type === 'var_spec') return null;
  if (parent?.type === 'expression_list' && parent.parent?.type === 'assignment_statement') {
    const target = parent.parent.childForFieldName('left')?.namedChildren[0];
    if (target?.type === 'identifier') return null;
  }
  return { kind: 'per-call', reason: 'in a func value stored or returned' };
}

/** `once.Do(f)` on a sync.Once: once per process for a package-level Once, once per value for a field. */
function onceOfDo(pkg: Package, file: GoFile, call: SyntaxNode): HowOften | null {
  const callee = call.childForFieldName('function');
  if (callee?.type !== 'selector_expression' || callee.childForFieldName('field')?.text !== 'Do') return null;
  const operand = unparen(callee.childForFieldName('operand')!);
  const t = typeOf(pkg, file, operand);
  // Where the type cannot be seen, a heuristic named as one: a receiver named like a Once.
  if (!isNamed(t, 'sync', 'Once') && !(t.kind === 'unknown' && /once/i.test(operand.text))) return null;
  if (operand.type === 'identifier') {
    const obj = objectOf(pkg, file, operand);
    if (obj && !obj.fn) return { kind: 'once-per-process', reason: `behind sync.Once ${operand.text}` };
  }
  if (operand.type === 'selector_expression' && fieldOfSelector(pkg, file, operand)) {
    return { kind: 'once-per-value', reason: `behind sync.Once ${operand.text}, once per value` };
  }
  return { kind: 'once-per-value', reason: `behind sync.Once ${operand.text}` };
}

/** How often a function or method runs: from its name (init, main, a constructor) or from its callers in the package. */
export function functionFrequency(pkg: Package, fn: SyntaxNode): HowOften {
  let cache = byTree.get(fn.tree);
  if (!cache) byTree.set(fn.tree, (cache = new Map()));
  const known = cache.get(fn.id);
  if (known) return known;
  const key = `${fileOfNode(pkg, fn).path}:${fn.id}`;
  if (inProgress.has(key)) return { kind: 'per-call', reason: `per call of ${displayName(fn)} (recursive)` };
  inProgress.add(key);
  try {
    const how = computeFunctionFrequency(pkg, fn);
    cache.set(fn.id, how);
    return how;
  } finally {
    inProgress.delete(key);
  }
}

function computeFunctionFrequency(pkg: Package, fn: SyntaxNode): HowOften {
  const name = fn.childForFieldName('name')?.text ?? '';
  const display = displayName(fn);
  if (fn.type === 'function_declaration' && name === 'init') return { kind: 'once-per-process', reason: 'in init' };
  if (fn.type === 'function_declaration' && name === 'main' && pkg.name === 'main') return { kind: 'once-per-process', reason: 'in main' };
  if (fn.type === 'func_literal') {
    const outer = enclosing(fn);
    return outer ? functionFrequency(pkg, outer) : { kind: 'once-per-process', reason: 'in a package-level initializer' };
  }
  // Another package can call an exported name at any rate; package main has no importers.
  const exported = /^[A-Z]/.test(name) && pkg.name !== 'main';
  const { sites, escapes } = callersOf(pkg, fn);
  const constructor = fn.type === 'function_declaration' && /^[Nn]ew[A-Z_]?/.test(name);
  if (exported || escapes.length || sites.length === 0) {
    if (constructor) return { kind: 'once-per-value', reason: `once per value built by ${display}` };
    const why = exported ? '' : escapes.length ? ' (used as a value)' : ' (no caller in the package: an interface method or unused)';
    return { kind: 'per-call', reason: `per call of ${display}${why}` };
  }
  let worst: HowOften | null = null;
  for (const site of sites) {
    const how = frequencyOf(pkg, site.call);
    if (!worst || ORDER.indexOf(how.kind) > ORDER.indexOf(worst.kind)) worst = how;
  }
  const w = worst!;
  // A caller's own "g is called in the loop ..." already names where the repetition is.
  const nested = /^\S+ is (only )?called /.test(w.reason);
  if (w.kind === 'once-per-process') return { kind: w.kind, reason: nested ? w.reason : `${display} is only called ${w.reason}` };
  if (w.kind === 'per-iteration') return { kind: w.kind, reason: nested ? w.reason : `${display} is called ${w.reason}` };
  if (constructor) return { kind: 'once-per-value', reason: `once per value built by ${display}` };
  return { kind: w.kind, reason: w.kind === 'per-call' ? `per call of ${display}` : w.reason };
}

/** `F`, `(*T).M`, or `a func literal in F`. */
export function displayName(fn: SyntaxNode | null): string {
  if (!fn) return 'package initialization';
  const name = fn.childForFieldName('name')?.text;
  if (fn.type === 'function_declaration' && name) return name;
  if (fn.type === 'method_declaration' && name) {
    const recv = fn.childForFieldName('receiver')?.namedChildren.find((c) => c.type === 'parameter_declaration');
    const pointer = recv?.childForFieldName('type')?.type === 'pointer_type';
    const type = receiverTypeName(fn) ?? '?';
    return pointer ? `(*${type}).${name}` : `${type}.${name}`;
  }
  return `a func literal in ${displayName(enclosing(fn))}`;
}

function enclosing(node: SyntaxNode): SyntaxNode | null {
  for (let n = node.parent; n; n = n.parent) if (FUNCTION_TYPES.has(n.type)) return n;
  return null;
}
