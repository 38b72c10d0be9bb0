import { loopCallsRelated } from '../src/go/call-chains.js';
import type { SyntaxNode, Tree } from '../src/go/tree.js';
import { assignedValue, assignmentTarget, escapeOf, receivingCall } from '../src/go/escape.js';
import { calledPackageFunc, importNames, importPathOf, type ImportTable } from '../src/go/imports.js';
import { frequencyOf, withoutNote } from '../src/go/model/frequency.js';
import { calleesOf } from '../src/go/model/calls.js';
import { objectOf, usesOf, type GoObject } from '../src/go/model/names.js';
import { fileOfNode, interfaceMethodResults, isNamed, selectionOf, typeOf, type GoType } from '../src/go/model/types.js';
import { flowOf, handedOff, type Flow } from '../src/go/model/values.js';
import { mainPathExit, onMainPath } from '../src/go/paths.js';
import { declaringFunction, isNamedResult } from '../src/go/scopes.js';
import {
  bindingOf,
  contains,
  enclosingDeclaredFunction,
  enclosingFunction,
  enclosingLoops,
  insideFuncLiteral,
  isCallee,
  ownDescendantsOfType,
  selectedField,
  unparen,
} from '../src/go/syntax.js';
import type { GoFile, Package, Report, Rule } from '../src/engine/types.js';
import { callsNamed, identifierUses, nodesOfType } from '../src/go/nodes.js';

const HTTP = 'net/http';
/**
 * A heuristic, named as one, for calls whose result type the model cannot see (another
 * package's client): the methods of `*http.Client` that return a response with a body, and
 * how many arguments they take. The response's use must then show it is an *http.Response.
 */
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
      'until it runs out of one of them. A response is any value the package shows to be an ' +
      '*http.Response: from http.Get, Post or PostForm, from (*http.Client).Do, Get, Post or PostForm, or ' +
      'from a function, method or interface method of the package declared to return one (whose callers ' +
      'in the package are then judged the same way). Passing the response (or its Body) to a function of ' +
      'the package counts when that function closes it or hands it on. Not reported: HEAD requests, a 101 ' +
      'Switching Protocols upgrade, a body read to EOF (io.ReadAll, io.Copy into io.Discard: the connection ' +
      'goes back to the pool, and a read error closes it), and code that runs once per process (main, init, what only they call) ' +
      'outside a loop.',
    fix:
      'Right after the error check, `defer resp.Body.Close()`; or close it on every path once done. ' +
      'Returning the response, storing it, or passing it (or its Body) to a function that closes it also ' +
      'counts: that code then owns it.',
    example: {
      bad: 'func fetch(c *http.Client, url string) (*Quote, error) {\n\tresp, err := c.Get(url)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\tvar q Quote\n\treturn &q, json.NewDecoder(resp.Body).Decode(&q)\n}',
      good: 'func fetch(c *http.Client, url string) (*Quote, error) {\n\tresp, err := c.Get(url)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\tdefer resp.Body.Close()\n\tvar q Quote\n\treturn &q, json.NewDecoder(resp.Body).Decode(&q)\n}',
    },
    severity: 'warning',
    precision: 'high',
    inTests: 'skipped',
    tags: ['http', 'resource', 'goroutine'],
  },
  check(pkg, report) {
    const importsHTTP = pkg.files.some((f) => importNames(f.imports, HTTP).length > 0);
    const names = importsHTTP ? responseFunctionNames(pkg) : new Set<string>();
    for (const file of pkg.files) {
      if (!importsHTTP && !mentionsResponse(file)) continue;
      for (const call of callsNamed(file, [...names, ...CLIENT_METHOD_ARITY.keys()])) {
        const callee = responseCallee(pkg, file, call, names);
        if (!callee || !enclosingFunction(call)) continue;
        const how = frequencyOf(pkg, call);
        if (how.kind === 'once-per-process') continue;
        const finding = judgeResponse(pkg, file, call, callee, withoutNote(how.reason));
        if (finding) report({ ...finding, file, related: [...(finding.related ?? []), ...loopCallsRelated(pkg, how)], evidence: [{ node: call, file }] });
      }
    }
  },
};

interface Callee {
  /** The call's function as written (`http.Get`, `c.client.Do`). */
  text: string;
  /** Whether the model's types show an *http.Response; otherwise the response's use must show it. */
  known: boolean;
}

/** A cheap pre-check for a package that does not import net/http: a file mentions a response's fields. */
function mentionsResponse(file: GoFile): boolean {
  return file.source.includes('.Body') || file.source.includes('.StatusCode');
}

/**
 * The names of the package's functions, methods and interface methods whose declared
 * results mention a Response: with `Do`, `Get`, `Post` and `PostForm`, the
 * only calls whose type is worth asking the model for.
 */
function responseFunctionNames(pkg: Package): Set<string> {
  const names = new Set(['Do', 'Get', 'Post', 'PostForm']);
  for (const file of pkg.files) {
    const decls = [...file.tree.rootNode.namedChildren, ...nodesOfType(file, 'method_elem')];
    for (const decl of decls) {
      if (!['function_declaration', 'method_declaration', 'method_elem'].includes(decl.type)) continue;
      const name = decl.childForFieldName('name')?.text;
      if (name && decl.childForFieldName('result')?.text.includes('Response')) names.add(name);
    }
  }
  return names;
}

/**
 * The call returns an *http.Response as the model's types show it (known), or, where the
 * model cannot see the callee's type, the heuristic: a `Do/Get/Post/PostForm` method call
 * with the arity of `*http.Client`'s (not another package's function, nor a `(ctx, ...)`
 * signature), whose use must then show a response. HEAD responses have no body.
 */
function responseCallee(pkg: Package, file: GoFile, call: SyntaxNode, names: Set<string>): Callee | null {
  const fn = call.childForFieldName('function');
  const f = fn ? unparen(fn) : null;
  const name = f?.type === 'selector_expression' ? f.childForFieldName('field')?.text : f?.type === 'identifier' ? f.text : undefined;
  if (!fn || !f || !name || (!names.has(name) && !CLIENT_METHOD_ARITY.has(name))) return null;
  const t = typeOf(pkg, file, call);
  if (isResponse(t)) return !notJudged(pkg, file, f) && opensResponse(pkg, file, call, 0) ? { text: fn.text, known: true } : null;
  if (t.kind !== 'unknown' || f.type !== 'selector_expression') return null;
  const args = call.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
  if (CLIENT_METHOD_ARITY.get(name) !== args.length || takesContextFirst(args)) return null;
  // Another package's function (`ctxhttp.Do`, `resty.Get`): its contract is its own.
  if (importPathOf(f, file.imports)) return null;
  return { text: fn.text, known: false };
}

/** Whether a type (or the first of several results) is *http.Response. */
function isResponse(t: GoType): boolean {
  const first = t.kind === 'tuple' ? t.types[0] : t;
  return first?.kind === 'pointer' && isNamed(first, HTTP, 'Response');
}

const opensCache = new WeakMap<Tree, Map<number, boolean>>();

/**
 * Whether a call typed *http.Response hands out a response whose body is still open: one
 * of net/http's, or package code that returns only nil or such a response and leaves its
 * Body alone (a function that reads, closes or replaces the body, or that got the response
 * from code the model cannot see, such as a REST library that closes it, does not). For an
 * interface method of the package, whose code the model cannot see, a heuristic named as
 * one: it opens a response when it returns `(*http.Response, error)` as http.Client does,
 * not when the body's bytes come with it.
 */
function opensResponse(pkg: Package, file: GoFile, call: SyntaxNode, depth: number): boolean {
  const callee = unparen(call.childForFieldName('function') ?? call);
  const s = callee.type === 'selector_expression' ? selectionOf(pkg, file, callee) : null;
  if (s?.kind === 'package' || s?.kind === 'external-method') return true;
  const operand = callee.type === 'selector_expression' ? callee.childForFieldName('operand') : null;
  const name = callee.childForFieldName('field')?.text ?? '';
  const results = operand ? interfaceMethodResults(pkg, typeOf(pkg, file, operand), name) : null;
  if (results) return results.length === 1 || (results.length === 2 && results[1].kind === 'basic' && results[1].name === 'error');
  const callees = calleesOf(pkg, file, call);
  return callees.length > 0 && depth < 4 && callees.every((fn) => returnsOpenResponse(pkg, fn, depth + 1));
}

function returnsOpenResponse(pkg: Package, fn: SyntaxNode, depth: number): boolean {
  let cache = opensCache.get(fn.tree);
  if (!cache) opensCache.set(fn.tree, (cache = new Map()));
  let known = cache.get(fn.id);
  if (known === undefined) {
    cache.set(fn.id, false); // recursion: not proven
    known = computeReturnsOpenResponse(pkg, fn, depth);
    cache.set(fn.id, known);
  }
  return known;
}

function computeReturnsOpenResponse(pkg: Package, fn: SyntaxNode, depth: number): boolean {
  const body = fn.childForFieldName('body');
  if (!body || body.descendantsOfType('field_identifier').some((f) => f.text === 'Body')) return false;
  const file = fileOfNode(pkg, fn);
  const opens = (v: SyntaxNode | undefined): boolean => {
    const e = v ? unparen(v) : null;
    return e?.type === 'call_expression' && isResponse(typeOf(pkg, file, e)) && opensResponse(pkg, file, e, depth);
  };
  let some = false;
  for (const ret of ownDescendantsOfType(body, 'return_statement')) {
    const value = ret.namedChildren.find((c) => c.type === 'expression_list')?.namedChildren[0];
    if (!value) return false; // a bare return of named results: not followed
    const v = unparen(value);
    if (v.type === 'nil') continue;
    if (v.type === 'identifier') {
      const obj = objectOf(pkg, file, v);
      if (!obj?.fn || obj.fn.id !== fn.id) return false;
      const bound = [boundValue(obj), ...usesOf(pkg, obj).map(assignedValue)].filter((b): b is SyntaxNode => !!b);
      if (bound.length === 0 || !bound.every((b) => b.type === 'nil' || opens(b))) return false;
    } else if (!opens(v)) return false;
    some = true;
  }
  return some;
}

/** The value `x` is declared with in `x, err := call()` (the call, for any of its names). */
function boundValue(obj: GoObject): SyntaxNode | null {
  const decl = obj.decl;
  if (decl?.type !== 'short_var_declaration' && decl?.type !== 'var_spec') return null;
  const values = decl.childForFieldName(decl.type === 'var_spec' ? 'value' : 'right')?.namedChildren ?? [];
  return values.length === 1 ? values[0] : (values[obj.index] ?? null);
}

/**
 * net/http's `Head` (the Transport reuses the connection as soon as the headers are read),
 * and `RoundTrip`: middleware hands that response back up, and code that drops one knows
 * what its own transport answers (httputil.DumpRequestOut's 204 from a fake connection).
 */
function notJudged(pkg: Package, file: GoFile, callee: SyntaxNode): boolean {
  const name = callee.type === 'selector_expression' ? callee.childForFieldName('field')?.text : null;
  if (name !== 'Head' && name !== 'RoundTrip') return false;
  const s = selectionOf(pkg, file, callee);
  return s?.kind === 'package' || s?.kind === 'external-method';
}

/** `api.Post(ctx, path, body)`: a context first is another client's signature, not http.Client's. */
function takesContextFirst(args: SyntaxNode[]): boolean {
  const first = args[0]?.text ?? '';
  return /^(ctx|[\w.]*[cC]tx|context\.\w+\(\))$/.test(first);
}

type Finding = Omit<Report, 'file' | 'evidence'>;

const LEAK = 'its connection and read/write goroutines stay alive';

/** Decides whether the response of `call` leaks, and says how. */
function judgeResponse(pkg: Package, file: GoFile, call: SyntaxNode, callee: Callee, reason: string): Finding | null {
  if (requestsHead(call, file)) return null;
  const stmt = call.parent;
  if (stmt?.type === 'expression_statement' || stmt?.type === 'go_statement' || stmt?.type === 'defer_statement') {
    return callee.known ? discarded(call, callee, reason) : null;
  }
  if (escapeOf(call) !== 'aliased') return null; // returned, passed on, stored in a field or a map
  const target = assignmentTarget(call);
  if (target?.type !== 'identifier') return null;
  if (target.text === '_') return callee.known ? discarded(call, callee, reason) : null;
  // A variable of an outer function (a retry closure filling it) is judged over that function.
  const owner = declaringFunction(target.text, call);
  const body = owner?.childForFieldName('body');
  if (!owner || !body || isNamedResult(owner, target.text)) return null;
  const uses = responseUses(call, target, body);
  if (!callee.known && !uses.some((u) => showsHTTPResponse(u, file.imports))) return null;
  if (expectsUpgrade(body, uses)) return null;
  const handled = uses.filter((u) => releases(pkg, file, u));
  if (handled.some((u) => onMainPath(u, call, body))) return null;
  const name = target.text;
  const what = handled.length > 0 ? 'is closed only on error or early-return paths' : 'is never closed';
  return {
    node: call,
    message: `${name}.Body from ${callee.text} ${what}, ${reason}: ${LEAK}`,
    related: whereOutOfUse(call, name, body).map(({ node, message }) => ({ node, file, message })),
  };
}

function discarded(call: SyntaxNode, callee: Callee, reason: string): Finding {
  return { node: call, message: `the response from ${callee.text} is discarded unclosed, ${reason}: ${LEAK}` };
}

/**
 * `c.Do(req)` where req was made for a HEAD request: its response has no body, and the
 * Transport reuses the connection as soon as the headers are read.
 */
function requestsHead(call: SyntaxNode, file: GoFile): boolean {
  const req = call.childForFieldName('arguments')?.namedChildren[0];
  const fn = enclosingDeclaredFunction(call)?.childForFieldName('body');
  if (req?.type !== 'identifier' || !fn) return false;
  // Only a function that spells a request constructor and HEAD can make a HEAD request.
  const text = fn.text;
  if (!text.includes('NewRequest') || !(text.includes('"HEAD"') || text.includes('MethodHead'))) return false;
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
  let first: SyntaxNode | null = null;
  // From where the body spells the name: the assignments whose left side holds it.
  for (const id of identifierUses(body, name)) {
    if (id.startIndex <= call.endIndex) continue;
    const a = bindingOf(id);
    if (a?.type !== 'assignment_statement' && a?.type !== 'short_var_declaration') continue;
    if (a.startIndex <= call.endIndex || !a.parent || !contains(a.parent, call)) continue;
    // The first in a walk's order: by start, an outer statement before one nested in it.
    if (!first || a.startIndex < first.startIndex || (a.startIndex === first.startIndex && a.endIndex > first.endIndex)) first = a;
  }
  return first;
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
  if (body.text.includes('StatusSwitchingProtocols') && body.descendantsOfType('field_identifier').some((f) => f.text === 'StatusSwitchingProtocols')) return true;
  return uses.some((u) => {
    const comparison = selectedField(u) === 'StatusCode' ? u.parent?.parent : null;
    return comparison?.type === 'binary_expression' && comparison.childForFieldName('right')?.text === '101';
  });
}

/**
 * Whether a use of the response ends our responsibility for its body, by the model's value
 * flow from there: the body is closed (`resp.Body.Close()`, `resp.Write(w)`, in this function
 * or in a package function it is passed to), or the response or its Body goes where the model
 * cannot see (returned, stored, sent, handed to another package's code that is not a known
 * reader or printer).
 */
function releases(pkg: Package, file: GoFile, use: SyntaxNode): boolean {
  const flow = flowOf(pkg, file, use);
  if (handsOn(pkg, flow, RESPONSE_INSPECTORS, new Set())) return true;
  return flow.uses.some((u) => {
    const field = selectedField(u.node);
    if (field === 'Write') return isCallee(u.node.parent!); // Response.Write closes the body
    return field === 'Body' && bodyReleased(pkg, u.file, u.node.parent!);
  });
}

/** Whether `resp.Body` (the selector) is closed, or handed on, from where it stands. */
function bodyReleased(pkg: Package, file: GoFile, body: SyntaxNode): boolean {
  if (drainedToEOF(file, body)) return true;
  const outer = body.parent;
  if (outer?.type === 'selector_expression' && outer.childForFieldName('operand')?.id === body.id) {
    // Called, or handed on as a method value (`defer closeLogged(resp.Body.Close)`).
    return outer.childForFieldName('field')?.text === 'Close';
  }
  const flow = flowOf(pkg, file, body);
  return handsOn(pkg, flow, BODY_READERS, READER_METHODS) || flow.uses.some((u) => selectedField(u.node) === 'Close');
}

/**
 * `io.ReadAll(resp.Body)`, `io.Copy(io.Discard, resp.Body)`: read to EOF, which puts the
 * connection back in the Transport's pool (a read error closes it instead), so nothing is
 * held even unclosed. A decoder, which stops at the end of its value, does not drain.
 */
function drainedToEOF(file: GoFile, body: SyntaxNode): boolean {
  const call = receivingCall(body);
  const args = call?.childForFieldName('arguments')?.namedChildren ?? [];
  if (!call || args.at(-1)?.id !== body.id) return false;
  if (args.length === 1) return ['io', 'io/ioutil'].some((p) => calledPackageFunc(call, file.imports, p, ['ReadAll']));
  if (!calledPackageFunc(call, file.imports, 'io', ['Copy']) || args.length !== 2) return false;
  const dst = args[0];
  if (dst.type !== 'selector_expression' || dst.childForFieldName('field')?.text !== 'Discard') return false;
  const pkgName = dst.childForFieldName('operand')?.text ?? '';
  return ['io', 'io/ioutil'].includes(file.imports.byName.get(pkgName) ?? '');
}

/**
 * The value leaves what the package's code shows: returned, kept in a field or a container,
 * or handed to code the model cannot see, other than the `known` calls that only read it.
 */
function handsOn(pkg: Package, flow: Flow, known: Map<string, readonly string[] | 'all'>, methods: Set<string>): boolean {
  if (flow.returned || flow.results.length > 0) return true;
  if (flow.holders.some((h) => h.kind === 'field' || h.kind === 'element')) return true;
  return handedOff(flow).some((h) => {
    if (h.kind !== 'unknown' || h.at.type !== 'call_expression') return true;
    return !isKnownCall(h.at, fileOfNode(pkg, h.at).imports, known, methods);
  });
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
