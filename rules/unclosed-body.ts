import type { SyntaxNode } from 'tree-sitter';
import { assignmentTarget, escapeOf, receivingCall } from '../src/go/escape.js';
import { calledPackageFunc, importNames, importPathOf, type ImportTable } from '../src/go/imports.js';
import { runsOncePerProcess } from '../src/go/once.js';
import { mainPathExit, onMainPath } from '../src/go/paths.js';
import { declaringFunction, isNamedResult } from '../src/go/scopes.js';
import {
  boundNames,
  contains,
  enclosingDeclaredFunction,
  enclosingFunction,
  enclosingLoops,
  insideFuncLiteral,
  isCallee,
  isTestCode,
  selectedField,
} from '../src/go/syntax.js';
import { hasImportedType, type ImportedType } from '../src/go/types.js';
import type { GoFile, Package, Report, Rule } from '../src/engine/types.js';
import { identifierUses, nodesOfType } from '../src/go/nodes.js';

const HTTP = 'net/http';
const HTTP_CLIENT: ImportedType = { path: HTTP, name: 'Client', variables: ['DefaultClient'] };
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
    inTests: 'skipped',
    tags: ['http', 'resource', 'goroutine'],
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      if (!mayHoldResponses(file)) continue;
      for (const call of nodesOfType(file, 'call_expression')) {
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
  if (importNames(file.imports, HTTP).length > 0) return true;
  return file.source.includes('.Body') || file.source.includes('.StatusCode');
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
  if (importPathOf(fn, file.imports)) return null;
  return { text: fn.text, known: hasImportedType(operand, call, file, pkg, HTTP_CLIENT) };
}

/** `api.Post(ctx, path, body)`: a context first is another client's signature, not http.Client's. */
function takesContextFirst(args: SyntaxNode[]): boolean {
  const first = args[0]?.text ?? '';
  return /^(ctx|[\w.]*[cC]tx|context\.\w+\(\))$/.test(first);
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
  if (!owner || !body || isNamedResult(owner, target.text)) return null;
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

/**
 * `c.Do(req)` where req was made for a HEAD request: its response has no body, and the
 * Transport reuses the connection as soon as the headers are read.
 */
function requestsHead(call: SyntaxNode, file: GoFile): boolean {
  const req = call.childForFieldName('arguments')?.namedChildren[0];
  const fn = enclosingDeclaredFunction(call)?.childForFieldName('body');
  if (req?.type !== 'identifier' || !fn) return false;
  const names = importNames(file.imports, HTTP);
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

/**
 * The first later assignment to `name` in a statement list that holds the call: every path
 * after it sees the new value.
 */
function replacingAssignment(call: SyntaxNode, name: string, body: SyntaxNode): SyntaxNode | null {
  const assigns = body.descendantsOfType(['assignment_statement', 'short_var_declaration']).filter((a) => {
    if (a.startIndex <= call.endIndex || !a.parent || !contains(a.parent, call)) return false;
    return boundNames(a).some((t) => t.type === 'identifier' && t.text === name);
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
  if (isCallee(sel)) return false;
  if (field === 'StatusCode') return true;
  if (field !== 'Body' || escapeOf(sel) !== 'passed') return false;
  const call = receivingCall(sel);
  return !!call && isKnownCall(call, imports, BODY_READERS, READER_METHODS);
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

/** The re-assignment that replaces the response, or the main path's exit, whichever comes first. */
function whereOutOfUse(call: SyntaxNode, name: string, body: SyntaxNode): { node: SyntaxNode; message: string }[] {
  const replaced = replacingAssignment(call, name, body);
  const exit = mainPathExit(call, body);
  if (replaced && (!exit || replaced.startIndex < exit.startIndex)) {
    return [{ node: replaced, message: `${name} is replaced here while its Body is still open` }];
  }
  return exit ? [{ node: exit, message: `${name} goes out of use here with its Body still open` }] : [];
}
