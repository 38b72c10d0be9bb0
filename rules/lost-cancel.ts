import type { SyntaxNode } from 'tree-sitter';
import { calledPackageFunc, importsPackage } from '../src/go/imports.js';
import { statementsOf } from '../src/go/flow.js';
import {
  contains,
  enclosingFunction,
  enclosingLoops,
  FUNCTION_TYPES,
  isTestCode,
  loopCanEnd,
  neverReturnsAfter,
  ownDescendantsOfType,
  runsOncePerProcess,
  unparen,
} from '../src/go/syntax.js';
import type { GoFile, Report, Rule } from '../src/engine/types.js';

/** golang.org/x/net/context forwards to the standard package: same leak. */
const CONTEXT_PACKAGES = ['context', 'golang.org/x/net/context'];
const CONSTRUCTORS = [
  'WithCancel',
  'WithTimeout',
  'WithDeadline',
  'WithCancelCause',
  'WithTimeoutCause',
  'WithDeadlineCause',
];
/** Calls that do not return; taking a few more for such (`logger.Fatal`) only makes the rule quieter. */
const NO_RETURN_CALLS = /^panic$|\.(Exit|Fatal|Fatalf|Fatalln|Panic|Panicf|Panicln|Goexit|FailNow)$/;
const SWITCH_TYPES = new Set(['expression_switch_statement', 'type_switch_statement']);
const CASE_TYPES = new Set(['expression_case', 'type_case', 'default_case', 'communication_case']);
const HEADER_SCOPED = new Set(['if_statement', 'for_statement', 'expression_switch_statement', 'type_switch_statement']);

export const lostCancel: Rule = {
  meta: {
    id: 'lost-cancel',
    title: 'context cancel func discarded or not called on every path',
    why:
      'A context made with context.WithCancel, WithTimeout or WithDeadline (or their Cause variants) stays ' +
      'alive until its cancel function is called or its parent is cancelled: under a cancellable parent it ' +
      "sits in the parent's children map, a WithTimeout or WithDeadline context keeps a runtime timer armed " +
      'until the deadline, under a parent of a custom Context type a goroutine waits for either to finish, ' +
      'and every goroutine waiting on its Done channel keeps waiting. Under a long-lived parent (a ' +
      "server's base context, a connection's context) each call that loses its cancel function leaks the " +
      'child context, what it references, and its timer or goroutines.',
    fix:
      'Call the cancel function on every path: `defer cancel()` right after the call is the simple way. ' +
      'When the context must outlive the function, hand the cancel function on (return it, store it in a ' +
      'field, pass it to the code that finishes the work). In a loop, cancel the previous context before ' +
      'making the next one.',
    example: {
      bad:
        'func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {\n' +
        '\tctx, cancel := context.WithTimeout(ctx, c.timeout)\n' +
        '\tif err := c.ready(ctx); err != nil {\n' +
        '\t\treturn nil, err // leaks ctx: cancel is never called on this path\n' +
        '\t}\n' +
        '\tres, err := c.fetch(ctx, key)\n' +
        '\tcancel()\n' +
        '\treturn res, err\n' +
        '}',
      good:
        'func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {\n' +
        '\tctx, cancel := context.WithTimeout(ctx, c.timeout)\n' +
        '\tdefer cancel()\n' +
        '\tif err := c.ready(ctx); err != nil {\n' +
        '\t\treturn nil, err\n' +
        '\t}\n' +
        '\treturn c.fetch(ctx, key)\n' +
        '}',
    },
    severity: 'warning',
    precision: 'high',
    tags: ['context', 'goroutine', 'memory'],
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      const paths = CONTEXT_PACKAGES.filter((p) => importsPackage(file.imports, p));
      if (paths.length === 0) continue;
      for (const call of file.tree.rootNode.descendantsOfType('call_expression')) {
        const ctor = constructorOf(call, file, paths);
        if (!ctor) continue;
        const fn = enclosingFunction(call);
        // A package-level context, main.main and init live as long as the process.
        if (!fn || runsOncePerProcess(fn, pkg.name) || isTestCode(call, file.isTest)) continue;
        const finding = judge(call, ctor, fn, file);
        if (finding) report(finding);
      }
    }
  },
};

/** `WithTimeout` when `call` is `context.WithTimeout(...)` (or another constructor with a cancel function). */
function constructorOf(call: SyntaxNode, file: GoFile, paths: string[]): string | null {
  for (const p of paths) {
    const name = calledPackageFunc(call, file.imports, p, CONSTRUCTORS);
    if (name) return name;
  }
  return null;
}

/** Where the cancel function goes: discarded, a local variable to follow, or handed off (null). */
type Holder =
  | { kind: 'discarded'; node: SyntaxNode }
  | { kind: 'variable'; name: string; target: SyntaxNode; stmt: SyntaxNode };

function cancelHolder(call: SyntaxNode): Holder | null {
  const parent = call.parent;
  if (parent?.type === 'expression_statement') return { kind: 'discarded', node: call };
  const assign = parent?.type === 'expression_list' ? parent.parent : null;
  if (!parent || !assign) return null;
  let targets: SyntaxNode[];
  let stmt: SyntaxNode | null = assign;
  if (assign.type === 'short_var_declaration' || assign.type === 'assignment_statement') {
    if (assign.childForFieldName('right')?.id !== parent.id) return null;
    targets = assign.childForFieldName('left')?.namedChildren ?? [];
  } else if (assign.type === 'var_spec') {
    if (assign.childForFieldName('value')?.id !== parent.id) return null;
    targets = assign.childrenForFieldName('name');
    while (stmt && stmt.type !== 'var_declaration') stmt = stmt.parent;
  } else {
    return null; // returned, passed on: the receiver owns it
  }
  const target = targets[1];
  if (!target || !stmt) return null;
  if (target.type !== 'identifier') return null; // stored in a field or a map
  if (target.text === '_') return { kind: 'discarded', node: target };
  return { kind: 'variable', name: target.text, target, stmt };
}

function judge(call: SyntaxNode, ctor: string, fn: SyntaxNode, file: GoFile): Report | null {
  const holder = cancelHolder(call);
  if (!holder) return null;
  const harm = harmOf(ctor);
  if (holder.kind === 'discarded') {
    // Made once before an endless loop: the context lives as long as the function anyway.
    if (enclosingLoops(call).length === 0 && neverReturnsAfter(call)) return null;
    return {
      node: call,
      file,
      message: `the cancel function returned by context.${ctor} is discarded: ${harm}; keep it and defer ${callText('cancel', ctor)}`,
      related: [{ node: holder.node, file, message: 'the cancel function is dropped here' }],
    };
  }
  const scope = variableScope(holder.stmt, holder.name, fn);
  if (!scope) return null;
  const v: CancelVar = {
    name: holder.name,
    stmt: holder.stmt,
    scope: scope.list,
    uses: handlingUses(fn, holder, scope.declaredAt),
    fn,
  };
  const leaks = exitsOf(v).filter((exit) => !cancelledBefore(exit, v));
  if (leaks.length === 0) return null;
  const name = holder.name;
  const fix = `defer ${callText(name, ctor)} right after this call`;
  let message: string;
  if (!v.uses.some((u) => u.startIndex > holder.stmt.endIndex || insideLiteral(u, fn))) {
    message = `${name} from context.${ctor} is never called: ${harm}; ${fix}`;
  } else if (leaks.some((l) => l.overwrites)) {
    message = `${name} from context.${ctor} is overwritten before it is called: ${harm}; call ${callText(name, ctor)} before making the next context`;
  } else {
    message = `${name} from context.${ctor} is not called on every path: ${harm}; ${fix}`;
  }
  return { node: call, file, message, related: leaks.map((l) => ({ node: l.node, file, message: l.message })) };
}

function harmOf(ctor: string): string {
  return ctor.startsWith('WithCancel')
    ? 'the context, and whatever waits on its Done channel, stays alive until the parent is cancelled'
    : 'the context and its timer stay alive until the deadline passes or the parent is cancelled';
}

function callText(name: string, ctor: string): string {
  return ctor === 'WithCancelCause' ? `${name}(nil)` : `${name}()`;
}

/** A cancel variable being followed through its function. */
interface CancelVar {
  name: string;
  /** The statement that assigns the cancel function (the call's statement). */
  stmt: SyntaxNode;
  /** The statement list the variable lives in: leaving it loses the function. */
  scope: SyntaxNode;
  /** Uses that may call or hand on the function (anything but assigning to it). */
  uses: SyntaxNode[];
  fn: SyntaxNode;
}

/**
 * The statement list the variable is declared in and the declaring node, or null when the
 * variable outlives the function (a named result, a captured or package-level variable) or
 * is scoped to an if/for/switch header.
 */
function variableScope(
  stmt: SyntaxNode,
  name: string,
  fn: SyntaxNode,
): { list: SyntaxNode; declaredAt: SyntaxNode } | null {
  if (stmt.parent?.type !== 'statement_list') return null;
  for (let n: SyntaxNode = stmt; n.parent && n.id !== fn.id; n = n.parent) {
    const parent = n.parent;
    if (parent.type === 'statement_list') {
      const decl = statementsOf(parent).find((s) => s.startIndex <= n.startIndex && declares(s, name));
      if (decl) return { list: parent, declaredAt: decl };
    } else if (HEADER_SCOPED.has(parent.type) && declaresInHeader(parent, n, name)) {
      return null;
    }
    if (FUNCTION_TYPES.has(parent.type)) break;
  }
  if (declaresParameter(fn.childForFieldName('result'), name)) return null;
  const body = fn.childForFieldName('body')?.namedChildren.find((c) => c.type === 'statement_list');
  if (body && declaresParameter(fn.childForFieldName('parameters'), name)) return { list: body, declaredAt: body };
  return null;
}

/** `name := ...` or `var name ...` (a short declaration may also assign an existing `name`). */
function declares(stmt: SyntaxNode, name: string): boolean {
  if (stmt.type === 'short_var_declaration') {
    return (stmt.childForFieldName('left')?.namedChildren ?? []).some((t) => t.text === name);
  }
  if (stmt.type === 'var_declaration') {
    return stmt.descendantsOfType('var_spec').some((s) => s.childrenForFieldName('name').some((t) => t.text === name));
  }
  return false;
}

/** An `if x := ...;`, `for x := ...;` or `switch x := ...;` header declaring `name` above `child`. */
function declaresInHeader(header: SyntaxNode, child: SyntaxNode, name: string): boolean {
  const init =
    header.type === 'for_statement'
      ? header.namedChildren.find((c) => c.type === 'for_clause')?.childForFieldName('initializer')
      : header.childForFieldName('initializer');
  return !!init && init.id !== child.id && declares(init, name);
}

function declaresParameter(list: SyntaxNode | null, name: string): boolean {
  if (!list || list.type !== 'parameter_list') return false;
  return list.namedChildren.some((p) => p.childrenForFieldName('name').some((n) => n.text === name));
}

/** Uses of the variable from its declaration on, other than assignments to it. */
function handlingUses(fn: SyntaxNode, holder: { name: string; target: SyntaxNode }, declaredAt: SyntaxNode): SyntaxNode[] {
  return fn
    .descendantsOfType('identifier')
    .filter((id) => id.text === holder.name && id.id !== holder.target.id && id.startIndex >= declaredAt.startIndex)
    .filter((id) => !isAssignedTo(id) && !isLiteralKey(id));
}

function isAssignedTo(id: SyntaxNode): boolean {
  const list = id.parent;
  if (list?.type === 'expression_list') {
    const stmt = list.parent;
    if (stmt?.type === 'assignment_statement' || stmt?.type === 'short_var_declaration') {
      return stmt.childForFieldName('left')?.id === list.id;
    }
  }
  return list?.type === 'var_spec' && list.childrenForFieldName('name').some((n) => n.id === id.id);
}

/** The key in `T{cancel: f}` names a field, not the variable. */
function isLiteralKey(id: SyntaxNode): boolean {
  const element = id.parent?.type === 'literal_element' ? id.parent : null;
  const keyed = element?.parent;
  return keyed?.type === 'keyed_element' && keyed.namedChildren[0]?.id === element?.id;
}

/** A way out of the variable's life: after it, the cancel function is lost if not called. */
interface Exit {
  node: SyntaxNode;
  message: string;
  /** Where the path leaves: before statement `index` of `list` (index = length: at its end). */
  list: SyntaxNode;
  index: number;
  /** The next iteration or assignment overwrites the variable (a closure deferred earlier does not help). */
  overwrites: boolean;
  /** The loop whose next iteration this exit starts, if any. */
  loop?: SyntaxNode;
}

function exitsOf(v: CancelVar): Exit[] {
  const exits: Exit[] = [];
  const after = (n: SyntaxNode): boolean => n.startIndex > v.stmt.endIndex;
  const own = ownDescendantsOfType(v.scope, ['return_statement', 'break_statement', 'continue_statement']).filter(after);
  for (const stmt of own) {
    if (stmt.type === 'return_statement') {
      exits.push(exitAt(stmt, `returns here without calling ${v.name}`, false));
      continue;
    }
    const target = jumpTarget(stmt);
    if (!target) continue;
    if (contains(target, v.scope)) {
      const how = stmt.type === 'continue_statement' ? 'goes round the loop' : 'breaks out';
      exits.push(exitAt(stmt, `${how} here without calling ${v.name}`, false));
    } else if (stmt.type === 'continue_statement' && contains(target, v.stmt)) {
      exits.push({ ...exitAt(stmt, `the next iteration overwrites ${v.name} before it is called`, true), loop: target });
    }
  }
  for (const stmt of ownDescendantsOfType(v.scope, ['assignment_statement', 'short_var_declaration'])) {
    if (after(stmt) && reassigns(stmt, v)) exits.push(exitAt(stmt, `${v.name} is overwritten here before it is called`, true));
  }
  exits.push(...loopEnds(v));
  const end = scopeEnd(v);
  if (end) exits.push(end);
  return exits;
}

function exitAt(stmt: SyntaxNode, message: string, overwrites: boolean): Exit {
  const list = stmt.parent!;
  return { node: stmt, message, list, index: indexIn(list, stmt), overwrites };
}

function indexIn(list: SyntaxNode, stmt: SyntaxNode): number {
  return statementsOf(list).findIndex((s) => s.id === stmt.id);
}

/** The loop, switch or select a `break` or `continue` leaves, within the same function. */
function jumpTarget(jump: SyntaxNode): SyntaxNode | null {
  const label = jump.namedChildren.find((c) => c.type === 'label_name')?.text;
  for (let n = jump.parent; n && !FUNCTION_TYPES.has(n.type); n = n.parent) {
    if (label) {
      if (n.type === 'labeled_statement' && n.childForFieldName('label')?.text === label) {
        return n.namedChildren.find((c) => c.type !== 'label_name') ?? null;
      }
    } else if (n.type === 'for_statement' || (jump.type === 'break_statement' && (SWITCH_TYPES.has(n.type) || n.type === 'select_statement'))) {
      return n;
    }
  }
  return null;
}

/**
 * A later `cancel = ...` (or `..., cancel := ...` in the same scope) that overwrites the
 * variable, not one that assigns a variable of the same name declared in an inner block.
 */
function reassigns(stmt: SyntaxNode, v: CancelVar): boolean {
  if (stmt.parent?.type !== 'statement_list') return false;
  const left = stmt.childForFieldName('left')?.namedChildren ?? [];
  if (!left.some((t) => t.type === 'identifier' && t.text === v.name)) return false;
  if (stmt.type === 'short_var_declaration' && stmt.parent.id !== v.scope.id) return false;
  for (let n: SyntaxNode = stmt; n.id !== v.scope.id && n.parent; n = n.parent) {
    const list = n.parent;
    if (list.type !== 'statement_list' || list.id === v.scope.id) continue;
    if (statementsOf(list).some((s) => s.startIndex < n.startIndex && declares(s, v.name))) return false;
  }
  return true;
}

/** The ends of loop bodies between the assignment and the variable's scope: the next iteration assigns again. */
function loopEnds(v: CancelVar): Exit[] {
  const exits: Exit[] = [];
  for (const loop of enclosingLoops(v.stmt)) {
    if (!contains(v.scope, loop)) break;
    const list = loop.childForFieldName('body')?.namedChildren.find((c) => c.type === 'statement_list');
    const body = loop.childForFieldName('body');
    if (!list || !body || endsInTerminator(list)) continue;
    exits.push({
      node: body.lastChild ?? body,
      message: `the next iteration overwrites ${v.name} before it is called`,
      list,
      index: statementsOf(list).length,
      overwrites: true,
      loop,
    });
  }
  return exits;
}

/** Falling off the end of the variable's scope (the function's end, or a block's). */
function scopeEnd(v: CancelVar): Exit | null {
  if (endsInTerminator(v.scope)) return null;
  const body = v.fn.childForFieldName('body');
  const holder = v.scope.parent;
  const index = statementsOf(v.scope).length;
  if (holder?.id === body?.id) {
    // A function with results cannot fall off its end: the compiler requires a terminating statement.
    if ((v.fn.childForFieldName('result')?.namedChildCount ?? 0) > 0) return null;
    return { node: body?.lastChild ?? v.scope, message: `the function ends here without calling ${v.name}`, list: v.scope, index, overwrites: false };
  }
  const node = holder?.type === 'block' ? (holder.lastChild ?? holder) : statementsOf(v.scope)[index - 1];
  const loopBody = holder?.type === 'block' && holder.parent?.type === 'for_statement';
  const message = loopBody
    ? `the loop goes round here without calling ${v.name}`
    : `${v.name} goes out of scope here without being called`;
  return { node, message, list: v.scope, index, overwrites: false };
}

function endsInTerminator(list: SyntaxNode): boolean {
  return listTerminates(statementsOf(list), false);
}

/**
 * Whether the variable's cancel function is called (or handed on) on the way from its
 * assignment to `exit`. An approximation of the paths: statements before the exit in its
 * statement list and the lists around it, after the assignment, that call or hand on the
 * function whichever way they go.
 */
function cancelledBefore(exit: Exit, v: CancelVar): boolean {
  if (usesIn(exit.node, v)) return true; // `return ctx, cancel`
  if (!exit.overwrites && closureDeclaredBefore(v)) return true;
  const assignIndex = listIndexes(v.stmt, v.scope);
  // A statement before the exit that cancels, or that never lets control reach the exit.
  const blocksPath = (s: SyntaxNode): boolean => cancelsBeforeNext(s, v) || terminates(s, false);
  let list = exit.list;
  let index = exit.index;
  for (;;) {
    const stmts = statementsOf(list);
    const from = assignIndex.get(list.id);
    if (from !== undefined) {
      if (index === from) return true; // the exit lies in another branch than the assignment: not reached from it
      if (stmts.slice(from + 1, index).some(blocksPath)) return true;
      break;
    }
    if (stmts.slice(0, index).some(blocksPath)) return true;
    const up = enclosingStatement(list);
    if (!up || !contains(v.scope, up)) return false;
    list = up.parent!;
    index = indexIn(list, up);
  }
  if (exit.loop && calledEarlierInLoop(exit.loop, v)) return true;
  return statementsAfterAssignment(v, list).some((s) => cancelsBeforeNext(s, v));
}

/** The index of the statement holding `stmt` in every statement list from `stmt` up to `scope`. */
function listIndexes(stmt: SyntaxNode, scope: SyntaxNode): Map<number, number> {
  const indexes = new Map<number, number>();
  for (let n: SyntaxNode = stmt; n.parent; n = n.parent) {
    if (n.parent.type === 'statement_list') indexes.set(n.parent.id, indexIn(n.parent, n));
    if (n.parent.id === scope.id) break;
  }
  return indexes;
}

/** The statement (a direct child of a statement list) that holds `node`. */
function enclosingStatement(node: SyntaxNode): SyntaxNode | null {
  let n = node;
  while (n.parent && n.parent.type !== 'statement_list') {
    if (FUNCTION_TYPES.has(n.parent.type)) return null;
    n = n.parent;
  }
  return n.parent ? n : null;
}

/** Statements after the assignment in its own block and the blocks around it, below `common`. */
function statementsAfterAssignment(v: CancelVar, common: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let n: SyntaxNode = v.stmt; n.parent && n.parent.id !== common.id; n = n.parent) {
    if (n.parent.type === 'statement_list') out.push(...statementsOf(n.parent).filter((s) => s.startIndex > n.endIndex));
  }
  return out;
}

/**
 * Whether the next iteration may cancel the previous context before assigning again: a use
 * in the loop body before the assignment (`if cancel != nil { cancel() }` at the top), or in
 * another branch than the assignment (a "stop" case beside the "start" case of a command loop).
 */
function calledEarlierInLoop(loop: SyntaxNode, v: CancelVar): boolean {
  const body = loop.childForFieldName('body');
  if (!body) return false;
  return v.uses.some((u) => contains(body, u) && (u.endIndex < v.stmt.startIndex || onOtherBranch(u, v.stmt)));
}

/** Whether `a` and `b` lie in different branches of an if, switch or select (not in one statement list). */
function onOtherBranch(a: SyntaxNode, b: SyntaxNode): boolean {
  let n = a.parent;
  while (n && !contains(n, b)) n = n.parent;
  return !!n && n.type !== 'statement_list' && n.type !== 'block';
}

/** A func literal made before the assignment that reads the variable when it runs (`defer func() { cancel() }()`). */
function closureDeclaredBefore(v: CancelVar): boolean {
  return v.uses.some((u) => u.startIndex < v.stmt.startIndex && insideLiteral(u, v.fn));
}

function insideLiteral(node: SyntaxNode, fn: SyntaxNode): boolean {
  for (let n = node.parent; n && n.id !== fn.id; n = n.parent) if (n.type === 'func_literal') return true;
  return false;
}

function usesIn(node: SyntaxNode, v: CancelVar): boolean {
  return v.uses.some((u) => contains(node, u));
}

/**
 * Whether every way through `stmt` that reaches the next statement calls or hands on the
 * cancel function. Branches (if, switch, select) are followed; any other statement that
 * uses the function is taken to call it.
 */
function cancelsBeforeNext(stmt: SyntaxNode, v: CancelVar): boolean {
  if (!usesIn(stmt, v)) return false;
  switch (stmt.type) {
    case 'block':
      return statementsOf(stmt).some((s) => cancelsBeforeNext(s, v));
    case 'labeled_statement':
      return stmt.namedChildren.some((c) => c.type !== 'label_name' && cancelsBeforeNext(c, v));
    case 'if_statement':
      return ifCancels(stmt, v);
    case 'expression_switch_statement':
    case 'type_switch_statement':
    case 'select_statement':
      return casesCancel(stmt, v);
    default:
      return usesFlowingOn(stmt, v);
  }
}

/**
 * A use inside `stmt` after which control may reach the statement after it: not one in a
 * block that ends by leaving the function (`if err != nil { cancel(); return err }` in a loop).
 */
function usesFlowingOn(stmt: SyntaxNode, v: CancelVar): boolean {
  return v.uses.some((u) => contains(stmt, u) && !inReturningList(u, stmt));
}

function inReturningList(use: SyntaxNode, stmt: SyntaxNode): boolean {
  // A func literal may run at any time, whatever its own returns do.
  if (insideLiteral(use, stmt)) return false;
  for (let n: SyntaxNode = use; n.id !== stmt.id && n.parent; n = n.parent) {
    if (n.parent.type !== 'statement_list') continue;
    const stmts = statementsOf(n.parent);
    const last = stmts[stmts.length - 1];
    if (last && (last.type === 'return_statement' || (last.type === 'expression_statement' && terminates(last, false)))) return true;
  }
  return false;
}

/**
 * An if statement cancels on its way through when its header uses the function
 * (`if cancel != nil { cancel() }`) or when each branch cancels or leaves: a branch that does
 * neither (a missing else included) goes on without cancelling.
 */
function ifCancels(stmt: SyntaxNode, v: CancelVar): boolean {
  const header = [stmt.childForFieldName('initializer'), stmt.childForFieldName('condition')];
  if (header.some((h) => h && usesIn(h, v))) return true;
  const branches = [stmt.childForFieldName('consequence'), stmt.childForFieldName('alternative')];
  return branches.every((b) => !!b && (cancelsBeforeNext(b, v) || terminates(b, false)));
}

/** A switch or select, judged like an if: its header uses the function, or every case cancels or leaves. */
function casesCancel(stmt: SyntaxNode, v: CancelVar): boolean {
  const header = stmt.namedChildren.filter((c) => !CASE_TYPES.has(c.type));
  if (header.some((h) => usesIn(h, v))) return true;
  return everyCase(stmt, (stmts) => stmts.some((s) => cancelsBeforeNext(s, v)) || listTerminates(stmts, true));
}

/**
 * Whether every case of a switch or select satisfies `holds`, a case ending in `fallthrough`
 * taking the next case's answer. A switch without a default can skip all its cases.
 */
function everyCase(stmt: SyntaxNode, holds: (stmts: SyntaxNode[]) => boolean): boolean {
  const cases = stmt.namedChildren.filter((c) => CASE_TYPES.has(c.type));
  if (SWITCH_TYPES.has(stmt.type) && !cases.some((c) => c.type === 'default_case')) return false;
  const caseHolds = (i: number): boolean => {
    const stmts = statementsOf(cases[i]);
    if (holds(stmts)) return true;
    return stmts[stmts.length - 1]?.type === 'fallthrough_statement' && i + 1 < cases.length && caseHolds(i + 1);
  };
  return cases.every((_, i) => caseHolds(i));
}

/**
 * Whether control can reach the statement after a loop: its condition or range can end it,
 * or a `break` (or a `goto`) leaves it. A `return` inside ends the function, not the loop.
 */
function loopFallsThrough(loop: SyntaxNode): boolean {
  if (!loopCanEnd(loop)) return false;
  const header = loop.namedChildren.find((c) => c.type !== 'block' && c.type !== 'comment');
  const endless = !header || (header.type === 'for_clause' && !header.childForFieldName('condition'));
  if (!endless) return true;
  const body = loop.childForFieldName('body');
  if (!body) return true;
  return ownDescendantsOfType(body, ['break_statement', 'goto_statement']).some(
    (jump) => jump.type === 'goto_statement' || jumpTarget(jump)?.id === loop.id,
  );
}

/** A statement of the list ends it: the statements after it, and its end, are not reached. */
function listTerminates(stmts: SyntaxNode[], inCase: boolean): boolean {
  return stmts.some((s) => terminates(s, inCase));
}

/**
 * Whether control never goes from `stmt` to the statement after it: return, goto, break,
 * continue, panic and exits, endless loops, and branches that all do so. In a switch or
 * select case (`inCase`) a plain `break` only leaves the case, so it does not count.
 */
function terminates(stmt: SyntaxNode, inCase: boolean): boolean {
  switch (stmt.type) {
    case 'return_statement':
    case 'goto_statement':
    case 'continue_statement':
      return true;
    case 'break_statement':
      return !inCase || stmt.namedChildren.some((c) => c.type === 'label_name');
    case 'expression_statement': {
      const call = unparen(stmt.namedChildren[0] ?? stmt);
      return call.type === 'call_expression' && NO_RETURN_CALLS.test(call.childForFieldName('function')?.text ?? '');
    }
    case 'block':
      return listTerminates(statementsOf(stmt), inCase);
    case 'labeled_statement':
      return stmt.namedChildren.some((c) => c.type !== 'label_name' && terminates(c, inCase));
    case 'if_statement': {
      const consequence = stmt.childForFieldName('consequence');
      const alternative = stmt.childForFieldName('alternative');
      return !!consequence && !!alternative && terminates(consequence, inCase) && terminates(alternative, inCase);
    }
    case 'for_statement':
      return !loopFallsThrough(stmt);
    case 'expression_switch_statement':
    case 'type_switch_statement':
    case 'select_statement':
      return everyCase(stmt, (stmts) => listTerminates(stmts, true));
    default:
      return false;
  }
}
