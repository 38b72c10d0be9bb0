import type { SyntaxNode } from 'tree-sitter';
import { calledPackageFunc, type ImportTable } from '../src/go/imports.js';
import { assignmentTarget, escapeOf } from '../src/go/escape.js';
import { statementsEndProcess, statementsOf } from '../src/go/flow.js';
import { fileOf, packageVarNames, selectorsOfField } from '../src/go/package.js';
import {
  contains,
  enclosingDeclaredFunction,
  enclosingFunction,
  enclosingLoops,
  FUNCTION_TYPES,
  identifierUses,
  isTestCode,
  ownDescendantsOfType,
  runsOncePerProcess,
  unparen,
} from '../src/go/syntax.js';
import type { GoFile, Package, Report, Rule } from '../src/engine/types.js';

const HTTP = 'net/http';
/**
 * Calls that return an `*http.Response` with a body to close. HEAD is left out on purpose:
 * its response has no body, and the Transport puts the connection back in the idle pool
 * as soon as the headers are read, closed or not.
 */
const PACKAGE_FUNCS = ['Get', 'Post', 'PostForm'];
/** Methods of `*http.Client` that return a response with a body, and how many arguments they take. */
const CLIENT_METHOD_ARITY = new Map([
  ['Do', 1],
  ['Get', 1],
  ['Post', 3],
  ['PostForm', 2],
]);

/** Functions that read a body (or wrap it in a reader) without closing it, by import path. */
const BODY_READERS = new Map<string, readonly string[] | 'all'>([
  [
    'io',
    ['ReadAll', 'Copy', 'CopyN', 'CopyBuffer', 'ReadFull', 'ReadAtLeast', 'LimitReader', 'TeeReader', 'MultiReader', 'NopCloser'],
  ],
  ['io/ioutil', ['ReadAll', 'NopCloser']],
  ['encoding/json', ['NewDecoder']],
  ['encoding/xml', ['NewDecoder']],
  ['encoding/gob', ['NewDecoder']],
  ['encoding/csv', ['NewReader']],
  ['bufio', ['NewReader', 'NewReaderSize', 'NewScanner']],
  ['compress/gzip', ['NewReader']],
  ['compress/zlib', ['NewReader']],
  ['compress/flate', ['NewReader']],
  ['compress/bzip2', ['NewReader']],
  ['archive/tar', ['NewReader']],
  ['mime/multipart', ['NewReader']],
]);
/** Methods that read from a reader argument without keeping it (`buf.ReadFrom(resp.Body)`). */
const READER_METHODS = new Set(['ReadFrom']);
/** Functions that look at a response (print, dump) without taking it over. */
const RESPONSE_INSPECTORS = new Map<string, readonly string[] | 'all'>([
  ['fmt', 'all'],
  ['log', 'all'],
  ['net/http/httputil', ['DumpResponse']],
]);

const ERROR_NAME = /^err$|[eE]rr$/;

export const unclosedBody: Rule = {
  meta: {
    id: 'unclosed-body',
    title: 'HTTP response body is never closed',
    why:
      'The Transport puts a connection back in its idle pool only once the response Body is closed (or ' +
      'read to EOF). Until then the *http.Response holds its TCP connection, and the connection\'s two ' +
      'goroutines (its read loop and write loop) stay blocked with their buffers. Reading is not closing: ' +
      'a decoder stops at the end of its value, and an early return or a read error leaves the rest ' +
      'unread; closing only when an error is returned leaves every successful response open. A client ' +
      'that does this per request leaks a connection, a file descriptor and two goroutines each time, ' +
      'until it runs out of one of them.',
    fix:
      'Right after the error check, `defer resp.Body.Close()`; or close it on every path once done. ' +
      'Returning the response, storing it, or passing it (or its Body) to a function that closes it also ' +
      'counts: that code then owns it.',
    example: {
      bad: 'func fetch(c *http.Client, url string) ([]byte, error) {\n\tresp, err := c.Get(url)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\treturn io.ReadAll(resp.Body)\n}',
      good: 'func fetch(c *http.Client, url string) ([]byte, error) {\n\tresp, err := c.Get(url)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\tdefer resp.Body.Close()\n\treturn io.ReadAll(resp.Body)\n}',
    },
    severity: 'warning',
    precision: 'high',
    tags: ['http', 'resource', 'goroutine'],
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      if (!mayHoldResponses(file)) continue;
      for (const call of file.tree.rootNode.descendantsOfType('call_expression')) {
        const callee = responseCallee(call, file, pkg);
        if (!callee || !enclosingFunction(call) || isTestCode(call, file.isTest)) continue;
        const once = runsOncePerProcess(enclosingDeclaredFunction(call), pkg.name);
        if (once && enclosingLoops(call).length === 0) continue;
        const finding = judgeResponse(call, callee, file);
        if (finding) report({ ...finding, file, evidence: [{ node: call, file }] });
      }
    }
  },
};

interface Callee {
  /** The call's function as written (`http.Get`, `c.client.Do`). */
  text: string;
  /** Whether the callee is known to be net/http's; otherwise the response's use must show it. */
  known: boolean;
}

/** A cheap pre-check: the file imports net/http or at least mentions a response's fields. */
function mayHoldResponses(file: GoFile): boolean {
  return httpNames(file).length > 0 || file.source.includes('.Body') || file.source.includes('.StatusCode');
}

/** The names the file imports net/http under. */
function httpNames(file: GoFile): string[] {
  return [...file.imports.byName].filter(([, path]) => path === HTTP).map(([name]) => name);
}

/**
 * `http.Get/Post/PostForm` under any import name, or a `Do/Get/Post/PostForm` method call
 * with the arity of `*http.Client`'s; `known` when the receiver is visibly an http.Client.
 */
function responseCallee(call: SyntaxNode, file: GoFile, pkg: Package): Callee | null {
  const fn = call.childForFieldName('function');
  if (!fn) return null;
  if (calledPackageFunc(call, file.imports, HTTP, PACKAGE_FUNCS)) return { text: fn.text, known: true };
  if (fn.type !== 'selector_expression') return null;
  const method = fn.childForFieldName('field')?.text ?? '';
  const operand = fn.childForFieldName('operand');
  const args = call.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
  if (!operand || CLIENT_METHOD_ARITY.get(method) !== args.length || takesContextFirst(args)) return null;
  // Another package's function (`ctxhttp.Do`, `resty.Get`): its contract is its own.
  if (operand.type === 'identifier' && file.imports.byName.has(operand.text)) return null;
  return { text: fn.text, known: isHTTPClient(operand, call, file, pkg) };
}

/** `api.Post(ctx, path, body)`: a context first is another client's signature, not http.Client's. */
function takesContextFirst(args: SyntaxNode[]): boolean {
  const first = args[0]?.text ?? '';
  return /^(ctx|[\w.]*[cC]tx|context\.\w+\(\))$/.test(first);
}

/**
 * Whether an expression is visibly an http.Client: `http.DefaultClient`, a literal, or a
 * variable, parameter or struct field declared or built as one in the package.
 */
function isHTTPClient(expr: SyntaxNode, at: SyntaxNode, file: GoFile, pkg: Package): boolean {
  const names = httpNames(file);
  if (names.length === 0) return false;
  const e = unparen(expr);
  if (buildsHTTPClient(e, names)) return true;
  if (e.type === 'identifier') return identifierIsHTTPClient(e.text, at, names, pkg);
  if (e.type === 'selector_expression') {
    const field = e.childForFieldName('field')?.text;
    return !!field && fieldIsHTTPClient(field, pkg);
  }
  return false;
}

/** `http.DefaultClient`, `&http.Client{...}`, `http.Client{...}`, `new(http.Client)`. */
function buildsHTTPClient(expr: SyntaxNode, httpNames: string[]): boolean {
  const e = unparen(expr);
  if (e.type === 'selector_expression') {
    const operand = e.childForFieldName('operand')?.text ?? '';
    return httpNames.includes(operand) && e.childForFieldName('field')?.text === 'DefaultClient';
  }
  if (e.type === 'unary_expression' && e.child(0)?.type === '&') {
    const operand = e.childForFieldName('operand');
    return !!operand && buildsHTTPClient(operand, httpNames);
  }
  if (e.type === 'composite_literal') return isHTTPClientType(e.childForFieldName('type'), httpNames);
  if (e.type === 'call_expression' && e.childForFieldName('function')?.text === 'new') {
    return isHTTPClientType(e.childForFieldName('arguments')?.namedChildren[0] ?? null, httpNames);
  }
  return false;
}

function isHTTPClientType(type: SyntaxNode | null, httpNames: string[]): boolean {
  const text = type?.text.replace(/^\*/, '') ?? '';
  return httpNames.some((name) => text === `${name}.Client`);
}

/**
 * Whether a variable named `name`, seen from `at`, is declared or assigned as an http.Client:
 * a parameter, var or assignment in an enclosing function, or a package-level var.
 */
function identifierIsHTTPClient(name: string, at: SyntaxNode, httpNames: string[], pkg: Package): boolean {
  for (let fn = enclosingFunction(at); fn; fn = enclosingFunction(fn)) {
    const params = [fn.childForFieldName('receiver'), fn.childForFieldName('parameters')];
    for (const list of params) {
      for (const p of list?.namedChildren ?? []) {
        const declares = p.childrenForFieldName('name').some((n) => n.text === name);
        if (declares && isHTTPClientType(p.childForFieldName('type'), httpNames)) return true;
      }
    }
    const body = fn.childForFieldName('body');
    if (body && declaresHTTPClient(body, name, httpNames)) return true;
  }
  if (!packageVarNames(pkg).has(name)) return false;
  return pkg.files.some((f) => declaresHTTPClient(f.tree.rootNode, name, httpNames));
}

/** A `var name http.Client`, `name := &http.Client{...}` or `name = http.DefaultClient` within `scope`. */
function declaresHTTPClient(scope: SyntaxNode, name: string, httpNames: string[]): boolean {
  for (const spec of scope.descendantsOfType('var_spec')) {
    const names = spec.childrenForFieldName('name');
    const i = names.findIndex((n) => n.text === name);
    if (i < 0) continue;
    if (isHTTPClientType(spec.childForFieldName('type'), httpNames)) return true;
    const value = spec.childForFieldName('value')?.namedChildren[i];
    if (value && buildsHTTPClient(value, httpNames)) return true;
  }
  for (const assign of scope.descendantsOfType(['short_var_declaration', 'assignment_statement'])) {
    const targets = assign.childForFieldName('left')?.namedChildren ?? [];
    const i = targets.findIndex((t) => t.type === 'identifier' && t.text === name);
    const value = assign.childForFieldName('right')?.namedChildren[i];
    if (i >= 0 && value && buildsHTTPClient(value, httpNames)) return true;
  }
  return false;
}

/**
 * Whether a struct field of that name is an http.Client: every struct of the package that
 * declares it gives it that type (the same name on another type makes it ambiguous), or,
 * for another package's struct, the package puts one in it (`o.Client = &http.Client{}`).
 */
function fieldIsHTTPClient(field: string, pkg: Package): boolean {
  let declared = false;
  for (const file of pkg.files) {
    for (const decl of file.tree.rootNode.descendantsOfType('field_declaration')) {
      if (!decl.childrenForFieldName('name').some((n) => n.text === field)) continue;
      if (!isHTTPClientType(decl.childForFieldName('type'), httpNames(file))) return false;
      declared = true;
    }
  }
  if (declared) return true;
  const filled = pkg.files.some((file) =>
    file.tree.rootNode.descendantsOfType('keyed_element').some((el) => {
      const [key, value] = el.namedChildren;
      return key?.text === field && !!value && buildsHTTPClient(literalValue(value), httpNames(file));
    }),
  );
  return (
    filled ||
    selectorsOfField(pkg, field).some((sel) => {
      const value = assignedValue(sel);
      return !!value && buildsHTTPClient(value, httpNames(fileOf(pkg, sel)));
    })
  );
}

/** A keyed element's value may be wrapped in a literal_element node. */
function literalValue(node: SyntaxNode): SyntaxNode {
  return node.type === 'literal_element' && node.namedChildCount === 1 ? node.namedChildren[0] : node;
}

/** The value assigned to `target` in `target = value`, if `target` is on the left of one. */
function assignedValue(target: SyntaxNode): SyntaxNode | null {
  const list = target.parent;
  const assign = list?.parent;
  if (list?.type !== 'expression_list' || assign?.type !== 'assignment_statement') return null;
  if (assign.childForFieldName('left')?.id !== list.id) return null;
  const i = list.namedChildren.findIndex((c) => c.id === target.id);
  return assign.childForFieldName('right')?.namedChildren[i] ?? null;
}

type Finding = Omit<Report, 'file' | 'evidence'>;

const LEAK =
  'until the body is closed (or happens to be read to EOF) its connection cannot go back to the Transport\'s ' +
  'idle pool, and the connection\'s read and write goroutines stay blocked with their buffers';

/** Decides whether the response of `call` leaks, and says how. */
function judgeResponse(call: SyntaxNode, callee: Callee, file: GoFile): Finding | null {
  if (requestsHead(call, file)) return null;
  const stmt = call.parent;
  if (stmt?.type === 'expression_statement' || stmt?.type === 'go_statement' || stmt?.type === 'defer_statement') {
    return callee.known ? discarded(call, callee) : null;
  }
  if (escapeOf(call) !== 'aliased') return null; // returned, passed on, stored in a field or a map
  const target = assignmentTarget(call);
  if (target?.type !== 'identifier') return null;
  if (target.text === '_') return callee.known ? discarded(call, callee) : null;
  // A variable of an outer function (a retry closure filling it) is judged over that function.
  const owner = declaringFunction(target.text, call);
  const body = owner?.childForFieldName('body');
  if (!owner || !body || isResultParameter(owner, target.text)) return null;
  const uses = responseUses(call, target, body);
  if (!callee.known && !uses.some((u) => showsHTTPResponse(u, file.imports))) return null;
  if (expectsUpgrade(body, uses)) return null;
  const handled = uses.filter((u) => closesOrHandsOff(u, file.imports));
  if (handled.some((u) => onMainPath(u, call, body))) return null;
  const name = target.text;
  const what =
    handled.length > 0
      ? 'is closed (or handed off) only on the error path or an early return, not on the path that goes on'
      : `is never closed and ${name} is not handed off`;
  return {
    node: call,
    message:
      `${name}.Body of the response from ${callee.text} ${what}: ${LEAK}; ` +
      `add defer ${name}.Body.Close() right after the error check`,
    related: whereOutOfUse(call, name, body).map(({ node, message }) => ({ node, file, message })),
  };
}

function discarded(call: SyntaxNode, callee: Callee): Finding {
  return {
    node: call,
    message:
      `the response from ${callee.text} is discarded, so its Body can never be closed: ${LEAK}; ` +
      'keep the response and defer resp.Body.Close()',
  };
}

function isResultParameter(fn: SyntaxNode, name: string): boolean {
  const result = fn.childForFieldName('result');
  if (result?.type !== 'parameter_list') return false;
  return result.namedChildren.some((p) => p.childrenForFieldName('name').some((n) => n.text === name));
}

/**
 * The innermost function around `at` that declares `name` (parameter, result, `var`, `:=`);
 * null for a package-level variable, which outlives any function.
 */
function declaringFunction(name: string, at: SyntaxNode): SyntaxNode | null {
  for (let fn = enclosingFunction(at); fn; fn = enclosingFunction(fn)) {
    const lists = ['receiver', 'parameters', 'result'].map((f) => fn!.childForFieldName(f));
    const params = lists.flatMap((l) => (l?.type === 'parameter_list' ? l.namedChildren : []));
    if (params.some((p) => p.childrenForFieldName('name').some((n) => n.text === name))) return fn;
    const body = fn.childForFieldName('body');
    if (body && declaresLocally(body, name)) return fn;
  }
  return null;
}

/** A `var name` or `name :=` in a function body, outside its func literals. */
function declaresLocally(body: SyntaxNode, name: string): boolean {
  return ownDescendantsOfType(body, ['var_spec', 'short_var_declaration', 'range_clause']).some((d) => {
    const names =
      d.type === 'var_spec' ? d.childrenForFieldName('name') : (d.childForFieldName('left')?.namedChildren ?? []);
    return names.some((n) => n.type === 'identifier' && n.text === name);
  });
}

/**
 * `c.Do(req)` where req was made for a HEAD request: its response has no body, and the
 * Transport reuses the connection as soon as the headers are read.
 */
function requestsHead(call: SyntaxNode, file: GoFile): boolean {
  const req = call.childForFieldName('arguments')?.namedChildren[0];
  const fn = enclosingDeclaredFunction(call)?.childForFieldName('body');
  if (req?.type !== 'identifier' || !fn) return false;
  const names = httpNames(file);
  const isHead = (m: SyntaxNode | undefined) =>
    m?.text === '"HEAD"' || names.some((n) => m?.text === `${n}.MethodHead`);
  for (const made of fn.descendantsOfType('call_expression')) {
    const kind = calledPackageFunc(made, file.imports, HTTP, ['NewRequest', 'NewRequestWithContext']);
    const args = made.childForFieldName('arguments')?.namedChildren ?? [];
    if (!kind || !isHead(args[kind === 'NewRequest' ? 0 : 1])) continue;
    const target = assignmentTarget(made);
    if (target?.text === req.text) return true;
  }
  return false;
}

/**
 * The uses of the response variable that can see this call's response: after the call and
 * before a re-assignment that replaces it on every path. When the call assigns a variable
 * declared earlier, also the uses earlier in a loop around it (they run on the next
 * iteration) and those in func literals (a deferred cleanup sees the latest value).
 */
function responseUses(call: SyntaxNode, target: SyntaxNode, body: SyntaxNode): SyntaxNode[] {
  const name = target.text;
  const replaced = replacingAssignment(call, name, body);
  // `resp, err = check(resp, err)` still sees the old response on its right.
  const replacement = replaced?.childForFieldName('right');
  const reassigns = target.parent?.parent?.type === 'assignment_statement';
  const loop = enclosingLoops(call).at(-1);
  return identifierUses(body, name).filter((u) => {
    if (u.id === target.id) return false;
    if (u.startIndex > call.endIndex) {
      return !replaced || u.startIndex < replaced.startIndex || (!!replacement && contains(replacement, u));
    }
    return reassigns && ((!!loop && contains(loop, u)) || insideFuncLiteral(u, body));
  });
}

function insideFuncLiteral(node: SyntaxNode, body: SyntaxNode): boolean {
  for (let n = node.parent; n && n.id !== body.id; n = n.parent) if (n.type === 'func_literal') return true;
  return false;
}

/**
 * The first later assignment to `name` in a statement list that holds the call: every path
 * after it sees the new value.
 */
function replacingAssignment(call: SyntaxNode, name: string, body: SyntaxNode): SyntaxNode | null {
  const assigns = body.descendantsOfType(['assignment_statement', 'short_var_declaration']).filter((a) => {
    if (a.startIndex <= call.endIndex || !a.parent || !contains(a.parent, call)) return false;
    return (a.childForFieldName('left')?.namedChildren ?? []).some((t) => t.type === 'identifier' && t.text === name);
  });
  return assigns[0] ?? null;
}

/**
 * `resp.StatusCode`, or `resp.Body` given to a reader (`io.ReadAll(resp.Body)`): the value
 * is an *http.Response, whatever returned it. Methods of those names (a client library's
 * `resp.Body()`) do not count.
 */
function showsHTTPResponse(use: SyntaxNode, imports: ImportTable): boolean {
  const field = selectedField(use);
  const sel = use.parent!;
  if (isCalled(sel)) return false;
  if (field === 'StatusCode') return true;
  if (field !== 'Body' || escapeOf(sel) !== 'passed') return false;
  const call = receivingCall(sel);
  return !!call && isKnownCall(call, imports, BODY_READERS, READER_METHODS);
}

function isCalled(expr: SyntaxNode): boolean {
  return expr.parent?.type === 'call_expression' && expr.parent.childForFieldName('function')?.id === expr.id;
}

/**
 * The code expects 101 Switching Protocols: the connection is taken over (hijacked, or the
 * body is the upgraded stream), so it never goes back to the pool anyway.
 */
function expectsUpgrade(body: SyntaxNode, uses: SyntaxNode[]): boolean {
  if (body.descendantsOfType('field_identifier').some((f) => f.text === 'StatusSwitchingProtocols')) return true;
  return uses.some((u) => {
    const comparison = selectedField(u) === 'StatusCode' ? u.parent?.parent : null;
    return comparison?.type === 'binary_expression' && comparison.childForFieldName('right')?.text === '101';
  });
}

/** The field or method selected on a use (`resp.Body` → "Body"), if any. */
function selectedField(use: SyntaxNode): string | null {
  const sel = use.parent;
  if (sel?.type !== 'selector_expression' || sel.childForFieldName('operand')?.id !== use.id) return null;
  return sel.childForFieldName('field')?.text ?? null;
}

/**
 * A use that ends our responsibility for the body: `resp.Body.Close()`, `resp.Write(w)`
 * (which closes it), or the response or its Body handed to code that may close it.
 */
function closesOrHandsOff(use: SyntaxNode, imports: ImportTable): boolean {
  const field = selectedField(use);
  if (field === null) return handsOff(use, imports, RESPONSE_INSPECTORS, new Set());
  const sel = use.parent!;
  if (field === 'Write') return sel.parent?.type === 'call_expression';
  if (field !== 'Body') return false;
  const outer = sel.parent;
  if (outer?.type === 'selector_expression' && outer.childForFieldName('operand')?.id === sel.id) {
    // Called, or handed on as a method value (`defer closeLogged(resp.Body.Close)`).
    return outer.childForFieldName('field')?.text === 'Close';
  }
  return handsOff(sel, imports, BODY_READERS, READER_METHODS);
}

/**
 * Whether a value is returned, stored, aliased, sent, or passed to a call that is not one
 * of the known functions (`known`, by import path) or methods that only read it.
 */
function handsOff(
  value: SyntaxNode,
  imports: ImportTable,
  known: Map<string, readonly string[] | 'all'>,
  methods: Set<string>,
): boolean {
  const escape = escapeOf(value);
  if (escape !== 'passed') return escape !== null;
  const call = receivingCall(value);
  return !call || !isKnownCall(call, imports, known, methods);
}

/** Whether a call is one of the `known` functions (by import path) or `methods` (any receiver). */
function isKnownCall(
  call: SyntaxNode,
  imports: ImportTable,
  known: Map<string, readonly string[] | 'all'>,
  methods: Set<string>,
): boolean {
  const fn = call.childForFieldName('function');
  if (fn?.type !== 'selector_expression') return false;
  const name = fn.childForFieldName('field')?.text ?? '';
  if (methods.has(name)) return true;
  return [...known].some(([path, names]) => calledPackageFunc(call, imports, path, names === 'all' ? [name] : names));
}

/** The call whose argument list holds `value` (through `&x`, parentheses, literals). */
function receivingCall(value: SyntaxNode): SyntaxNode | null {
  for (let n = value.parent; n; n = n.parent) {
    if (n.type === 'argument_list') return n.parent;
    if (FUNCTION_TYPES.has(n.type)) return null;
  }
  return null;
}

/**
 * Whether a use runs on the path that falls through every early exit after the call: not in
 * the branch of an `err != nil` check, nor in an `if` without `else` that ends by leaving
 * (`if resp.StatusCode != 200 { resp.Body.Close(); return err }`).
 */
function onMainPath(use: SyntaxNode, call: SyntaxNode, body: SyntaxNode): boolean {
  for (let n = use; n.parent && n.id !== body.id; n = n.parent) {
    const branch = n.parent;
    // An if around both the use and the call chose its branch before the response existed.
    if (branch.type !== 'if_statement' || contains(n, call)) continue;
    const condition = branch.childForFieldName('condition');
    const consequence = branch.childForFieldName('consequence');
    const alternative = branch.childForFieldName('alternative');
    if (n.id === consequence?.id) {
      if (testsError(condition, '!=')) return false;
      if (testsError(condition, '==')) continue; // the success branch
      if (!alternative && leaves(consequence)) return false;
    } else if (n.id === alternative?.id && testsError(condition, '==') && !testsError(condition, '!=')) {
      return false;
    }
  }
  return true;
}

/** Whether a condition holds `err <op> nil` for an error-like name. */
function testsError(condition: SyntaxNode | null, op: '!=' | '=='): boolean {
  if (!condition) return false;
  return [condition, ...condition.descendantsOfType('binary_expression')].some((b) => {
    if (b.type !== 'binary_expression' || b.childForFieldName('operator')?.type !== op) return false;
    const [left, right] = [b.childForFieldName('left'), b.childForFieldName('right')];
    return left?.type === 'identifier' && ERROR_NAME.test(left.text) && right?.type === 'nil';
  });
}

/** Whether a block ends by leaving the code after it: return, break, continue, goto, panic, exit. */
function leaves(block: SyntaxNode): boolean {
  const stmts = statementsOf(block);
  const last = stmts[stmts.length - 1];
  if (!last) return false;
  if (['return_statement', 'break_statement', 'continue_statement', 'goto_statement'].includes(last.type)) return true;
  return statementsEndProcess(stmts);
}

/** The re-assignment that replaces the response, or the main path's exit, whichever comes first. */
function whereOutOfUse(call: SyntaxNode, name: string, body: SyntaxNode): { node: SyntaxNode; message: string }[] {
  const replaced = replacingAssignment(call, name, body);
  const exit = mainPathExit(call, body);
  if (replaced && (!exit || replaced.startIndex < exit.startIndex)) {
    return [{ node: replaced, message: `${name} is replaced here while its Body is still open` }];
  }
  return exit ? [{ node: exit, message: `${name} goes out of use here with its Body still open` }] : [];
}

/**
 * Where the path that falls through the call's early exits leaves the function: the first
 * `return` at the call's level or around it, or the closing brace of a function without
 * results; null when the call sits in a loop and the path goes round it, or when the
 * function ends in branches.
 */
function mainPathExit(call: SyntaxNode, body: SyntaxNode): SyntaxNode | null {
  let stmt: SyntaxNode = call;
  while (stmt.parent && stmt.parent.type !== 'statement_list') stmt = stmt.parent;
  for (let n: SyntaxNode | null = stmt; n && n.id !== body.id; n = n.parent) {
    if (n.type === 'for_statement' || FUNCTION_TYPES.has(n.type)) return null;
    if (n.parent?.type !== 'statement_list') continue;
    const exit = n.parent.namedChildren.find((s) => s.startIndex > n!.endIndex && s.type === 'return_statement');
    if (exit) return exit;
  }
  return body.parent?.childForFieldName('result') ? null : body.lastChild;
}
