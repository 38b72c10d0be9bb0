import type { SyntaxNode } from 'tree-sitter';
import { calledPackageFunc, importsPackage } from '../src/go/imports.js';
import { assignmentTarget, escapeOf } from '../src/go/escape.js';
import { constantDuration } from '../src/go/duration.js';
import { neverReturnsAfter } from '../src/go/flow.js';
import { runsOncePerProcess } from '../src/go/once.js';
import { enclosingDeclaredFunction, enclosingFunction, isTestCode, unparen } from '../src/go/syntax.js';
import { declaredFieldNames, packageVarNames, selectorsOfField } from '../src/go/package.js';
import type { GoFile, Package, Rule } from '../src/engine/types.js';
import { identifierUses, nodesOfType } from '../src/go/nodes.js';

export const unstoppedTicker: Rule = {
  meta: {
    id: 'unstopped-ticker',
    title: 'time.NewTicker or time.NewTimer result is never stopped',
    why:
      'Before Go 1.23 the runtime keeps every started timer in its timer heap until it is stopped ' +
      '(a ticker) or fires (a timer), whether or not the program still references it. A ticker made ' +
      'per request, per connection or per call and never stopped keeps firing for the life of the ' +
      'process: memory and CPU grow with every call.',
    fix:
      'Call Stop when done: `defer t.Stop()` right after creating it, or `t.Stop()` in the Close or Stop ' +
      'method of the struct that holds it. Handing the ticker to the caller (return, store, pass) also ' +
      'counts as handled, since the receiver then owns it.',
    example: {
      bad: 'func poll(ctx context.Context) {\n\tt := time.NewTicker(time.Second)\n\tfor {\n\t\tselect {\n\t\tcase <-ctx.Done():\n\t\t\treturn\n\t\tcase <-t.C:\n\t\t\tcheck()\n\t\t}\n\t}\n}',
      good: 'func poll(ctx context.Context) {\n\tt := time.NewTicker(time.Second)\n\tdefer t.Stop()\n\tfor {\n\t\tselect {\n\t\tcase <-ctx.Done():\n\t\t\treturn\n\t\tcase <-t.C:\n\t\t\tcheck()\n\t\t}\n\t}\n}',
    },
    severity: 'warning',
    precision: 'high',
    inTests: 'skipped',
    tags: ['timer', 'memory'],
    goVersion: { below: '1.23', restoredBy: 'asynctimerchan=1' },
  },
  check(pkg, report) {
    // A main package runs once per process: its tickers live as long as it does.
    if (pkg.name === 'main') return;
    for (const file of pkg.files) {
      if (!importsPackage(file.imports, 'time')) continue;
      for (const call of nodesOfType(file, 'call_expression')) {
        const kind = calledPackageFunc(call, file.imports, 'time', ['NewTicker', 'NewTimer']);
        if (!kind || !enclosingFunction(call) || isTestCode(call, file.isTest) || neverReturnsAfter(call)) continue;
        if (runsOncePerProcess(enclosingDeclaredFunction(call), pkg.name)) continue;
        if (kind === 'NewTimer' && firesSoon(call, file)) continue;
        const holder = unhandledHolder(call, kind, pkg);
        if (holder === null) continue;
        const what = kind === 'NewTicker' ? 'ticker' : 'timer';
        const consequence =
          kind === 'NewTicker'
            ? 'it keeps firing and is never freed'
            : 'it stays in the runtime timer heap, with what it references, until it fires';
        let message: string;
        if (holder.startsWith('.')) {
          message = `${what} in field ${holder.slice(1)} is never stopped anywhere in the package: before Go 1.23 ${consequence}; stop it in the method that shuts the value down (x${holder}.Stop())`;
        } else if (holder) {
          message = `${what} ${holder} is never stopped: before Go 1.23 ${consequence}; call ${holder}.Stop() when done (defer it)`;
        } else {
          message = `the ${what} from time.${kind} is never stopped: before Go 1.23 ${consequence}; keep it in a variable and defer its Stop()`;
        }
        report({ node: call, file, message });
      }
    }
  },
};

/**
 * The variable the timer is held in when nothing stops or hands it off (`.name` for a
 * field, '' when it is not held at all), or null when it is handled.
 */
function unhandledHolder(call: SyntaxNode, kind: string, pkg: Package): string | null {
  const escape = escapeOf(call);
  if (escape === 'returned' || escape === 'passed' || escape === 'sent') return null;
  const target = assignmentTarget(call);
  if (escape === 'stored') {
    const field = target?.type === 'selector_expression' ? target.childForFieldName('field')?.text : literalKey(call);
    if (!field) return null; // in a map or an unkeyed literal: someone else owns it
    return fieldHandled(pkg, field) ? null : `.${field}`;
  }
  if (escape !== 'aliased' || target?.type !== 'identifier') return '';
  const name = target.text;
  const isLocal = target.parent?.parent?.type === 'short_var_declaration' || target.parent?.type === 'var_spec';
  if (!isLocal && packageVarNames(pkg).has(name)) return packageVarHandled(pkg, name) ? null : name;
  const fn = enclosingFunction(call);
  const scope = fn?.childForFieldName('body');
  if (!scope) return null;
  const uses = identifierUses(scope, name).filter((u) => u.id !== target.id);
  if (uses.some((u) => stopsOrHandsOff(u))) return null;
  if (kind === 'NewTimer' && uses.some((u) => awaitedOutsideSelect(u))) return null;
  return name;
}

/** A timer that fires within a second frees itself within a second: not worth a finding. */
function firesSoon(call: SyntaxNode, file: GoFile): boolean {
  const arg = call.childForFieldName('arguments')?.namedChildren[0];
  const nanos = arg ? constantDuration(arg, file.imports) : null;
  return nanos !== null && nanos <= 1e9;
}

/** `x.Stop()`, or `x` handed somewhere that may stop it. */
function stopsOrHandsOff(use: SyntaxNode): boolean {
  const parent = use.parent;
  if (parent?.type === 'selector_expression' && parent.childForFieldName('operand')?.id === use.id) {
    return parent.childForFieldName('field')?.text === 'Stop';
  }
  return escapeOf(use) !== null;
}

/** A plain `<-t.C` (not one case of a select): the timer fires before the code goes on. */
function awaitedOutsideSelect(use: SyntaxNode): boolean {
  const sel = use.parent;
  if (sel?.type !== 'selector_expression' || sel.childForFieldName('field')?.text !== 'C') return false;
  const recv = sel.parent;
  if (recv?.type !== 'unary_expression' || recv.child(0)?.type !== '<-') return false;
  let stmt = recv.parent;
  if (stmt?.type === 'expression_list') stmt = stmt.parent;
  if (stmt?.type === 'receive_statement') stmt = stmt.parent;
  return stmt?.type !== 'communication_case';
}

/** The field name in `S{name: time.NewTicker(d)}`. */
function literalKey(call: SyntaxNode): string | null {
  let n: SyntaxNode | null = unparen(call);
  while (n && n.type !== 'keyed_element') {
    if (n.type === 'composite_literal') return null;
    n = n.parent;
  }
  const key = n?.namedChildren[0];
  return key ? key.text : null;
}

/**
 * Some method or function of the package stops or hands off `x.field`, or the field
 * belongs to another package's type, whose code we cannot see.
 */
function fieldHandled(pkg: Package, field: string): boolean {
  if (!declaredFieldNames(pkg).has(field)) return true;
  return selectorsOfField(pkg, field).some((sel) => stopsOrHandsOff(sel));
}

function packageVarHandled(pkg: Package, name: string): boolean {
  return pkg.files.some((f) => identifierUses(f.tree.rootNode, name).some((u) => stopsOrHandsOff(u)));
}
