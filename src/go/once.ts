import type { SyntaxNode } from './tree.js';
import type { Package } from '../engine/types.js';
import { enclosingDeclaredFunction, enclosingFunction, functionName, isCallee } from './syntax.js';
import { identifierUses, nodesOfType } from './nodes.js';

/** `main` or `init` of package main, or any `init`: code that runs once per process. */
export function runsOncePerProcess(fn: SyntaxNode | null, packageName: string): boolean {
  if (!fn || fn.type !== 'function_declaration') return false;
  const name = functionName(fn);
  return name === 'init' || (name === 'main' && packageName === 'main');
}

/**
 * A function of package main, or an unexported one, that is only called from main, init
 * or package-level variable initializers (`http.Handle("/chan", ChanCreate())` in main).
 */
export function onlyCalledOncePerProcess(fn: SyntaxNode, pkg: Package): boolean {
  const name = functionName(fn);
  if (fn.type !== 'function_declaration' || !name) return false;
  if (pkg.name !== 'main' && /^[A-Z]/.test(name)) return false;
  const nameNode = fn.childForFieldName('name');
  const uses = pkg.files.flatMap((f) => identifierUses(f.tree.rootNode, name)).filter((u) => u.id !== nameNode?.id);
  return (
    uses.length > 0 &&
    uses.every((u) => {
      if (!isCallee(u)) return false;
      const caller = enclosingDeclaredFunction(u);
      return caller === null || runsOncePerProcess(caller, pkg.name);
    })
  );
}

/**
 * The sync.Once (the receiver of `.Do`) that runs `node` of function `fn`:
 * `once.Do(func() { ... })` around it, or `once.Do(d.fn)` where `fn` is handed to it. A
 * Once in a package-level variable runs it once per process; one in a struct field, once per value.
 */
export function onceThatRuns(node: SyntaxNode, fn: SyntaxNode, pkg: Package): SyntaxNode | null {
  for (let lit = enclosingFunction(node); lit?.type === 'func_literal'; lit = enclosingFunction(lit)) {
    const call = lit.parent?.parent;
    const once = call?.type === 'call_expression' ? onceOfDo(call) : null;
    if (once) return once;
  }
  const name = functionName(fn);
  return name ? (onceDoArguments(pkg).get(name) ?? null) : null;
}

const onceDoByPackage = new WeakMap<Package, Map<string, SyntaxNode>>();

/** Per package: the name handed to each `once.Do(name)` / `once.Do(x.name)`, and its `once`. */
function onceDoArguments(pkg: Package): Map<string, SyntaxNode> {
  let byName = onceDoByPackage.get(pkg);
  if (byName) return byName;
  byName = new Map();
  for (const file of pkg.files) {
    if (!file.source.includes('.Do(')) continue;
    for (const call of nodesOfType(file, 'call_expression')) {
      const once = onceOfDo(call);
      const arg = once && call.childForFieldName('arguments')?.namedChildren[0];
      const argName = arg?.type === 'selector_expression' ? arg.childForFieldName('field')?.text : arg?.text;
      if (once && argName && !byName.has(argName)) byName.set(argName, once);
    }
  }
  onceDoByPackage.set(pkg, byName);
  return byName;
}

/** `once` in `once.Do(...)`. */
function onceOfDo(call: SyntaxNode): SyntaxNode | null {
  const callee = call.childForFieldName('function');
  if (callee?.type !== 'selector_expression' || callee.childForFieldName('field')?.text !== 'Do') return null;
  return callee.childForFieldName('operand');
}
