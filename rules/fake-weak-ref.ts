import type { SyntaxNode } from '../src/go/tree.js';
import { calledPackageFunc, importsPackage } from '../src/go/imports.js';
import { assignedValue, assignmentTarget, isAssignedTo, rootIdentifier } from '../src/go/escape.js';
import { callsNamed, nodesOfType } from '../src/go/nodes.js';
import { fileOf, selectorsOfField } from '../src/go/package.js';
import { calleesOf } from '../src/go/model/calls.js';
import { objectOf } from '../src/go/model/names.js';
import { fieldOfSelector, fileOfNode, selectionOf, typeFromSyntax, typeIndex, typeOf, underlying } from '../src/go/model/types.js';
import { boundNames, docComment, enclosingFunction, FUNCTION_TYPES, functionName, isCallee, isTestCode, unparen } from '../src/go/syntax.js';
import type { GoFile, Package, Rule } from '../src/engine/types.js';


export const fakeWeakRef: Rule = {
  meta: {
    id: 'fake-weak-ref',
    title: 'Hand-rolled weak reference: a refcount that frees nothing',
    why:
      "Go's garbage collector is a tracing collector: it frees what is unreachable and never looks at " +
      'reference counts, so a count that drops to zero frees nothing while the struct still points at the value. ' +
      'A struct that counts its users beside a pointer, map, slice or interface value ' +
      'keeps that value alive for as long as the struct itself is reachable (say, from a cache map), ' +
      'whatever the count says. When nothing nils the field or deletes the entry as the count reaches ' +
      'zero (a zero branch that is empty, only logs or only comments counts for nothing), or when the count is ' +
      'only ever incremented, the "weak reference" is a strong one and every ' +
      'value it ever held stays in memory. Likewise a `uintptr(unsafe.Pointer(x))` kept as a "weak" ' +
      'pointer is no reference at all: the object may be freed and its address reused while the integer ' +
      'still names it.',
    fix:
      'Use the real thing: `weak.Make(v)` / `weak.Pointer[T]` (Go 1.24+), with `runtime.AddCleanup` to ' +
      'drop the map entry when the value is collected, or `unique.Make` for interning. If you keep the ' +
      'refcount, release at zero: when the decrement brings it to zero, nil the value, delete the owning ' +
      'map entry and Close what it holds. For an unbounded cache, bound it (LRU, TTL) instead.',
    example: {
      bad:
        'type WeakRef struct {\n\trefCount int32\n\tv        interface{}\n}\n\n' +
        'func (c *Cache) Get(k string) interface{} {\n\tr := c.data[k]\n\tatomic.AddInt32(&r.refCount, 1)\n\treturn r.v\n}',
      good:
        'type Cache struct {\n\tmu   sync.Mutex\n\tdata map[string]weak.Pointer[Blob]\n}\n\n' +
        'func (c *Cache) Set(k string, b *Blob) {\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\tc.data[k] = weak.Make(b)\n' +
        '\truntime.AddCleanup(b, c.forget, k)\n}\n\n' +
        'func (c *Cache) forget(k string) {\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n' +
        '\tif c.data[k].Value() == nil {\n\t\tdelete(c.data, k)\n\t}\n}',
    },
    severity: 'warning',
    precision: 'medium',
    inTests: 'skipped',
    tags: ['memory', 'gc'],
  },
  check(pkg, report) {
    for (const file of pkg.files) {
      if (file.isTest) continue;
      for (const spec of nodesOfType(file, 'type_spec')) checkRefcountedType(spec, file, pkg, report);
      if (importsPackage(file.imports, 'unsafe')) checkUintptrPointers(file, pkg, report);
    }
  },
};

type Reporter = Parameters<Rule['check']>[1];

interface Field {
  name: string;
  decl: SyntaxNode;
  type: SyntaxNode;
}

/** How a statement changes a counter. */
type ChangeKind = 'up' | 'down' | 'either' | 'set';

interface CountChange {
  node: SyntaxNode;
  kind: ChangeKind;
  /** Through sync/atomic (a function or an atomic integer type's method). */
  atomic: boolean;
}

function checkRefcountedType(spec: SyntaxNode, file: GoFile, pkg: Package, report: Reporter): void {
  const struct = spec.childForFieldName('type');
  const name = spec.childForFieldName('name')?.text;
  if (struct?.type !== 'struct_type' || !name || !soundsWeak(name, spec)) return;
  const fields = structFields(struct);
  const typeParams = typeParameterNames(spec);
  const strong = fields.filter((f) => holdsStrongReference(f.type, typeParams, file));
  if (strong.length === 0) return;
  const refType = namedForReferences(name);
  for (const count of fields.filter((f) => isCounter(f, file, refType))) {
    const changes = countChanges(pkg, count.name, name).filter((c) => c.kind !== 'set');
    if (changes.length === 0 || !changes.some((c) => c.atomic || underMutex(c.node))) continue;
    if (strong.some((f) => niledAnywhere(pkg, f.name, name))) continue;
    const downs = changes.filter((c) => c.kind !== 'up');
    if (downs.length > 0 && releasedAtZero(pkg, name, count.name, strong, downs)) continue;
    const held = strong.map((f) => f.name).join(', ');
    const it = strong.length === 1 ? 'it' : 'them';
    const reason =
      downs.length === 0
        ? `${count.name} only grows, so ${it} is never released`
        : `nothing releases ${it} when ${count.name} reaches zero`;
    const site = downs[0] ?? changes[0];
    report({
      node: spec,
      file,
      message:
        `type ${name} counts references in ${count.name} but holds ${held} strongly, and Go's GC never reads the count: ${reason}`,
      related: [
        {
          node: site.node,
          file: fileOf(pkg, site.node),
          message: downs.length ? 'the count drops here and nothing is released' : 'the count only grows here',
        },
      ],
      evidence: strong.map((f) => ({ node: f.decl, file })),
    });
    return;
  }
}

const REF_WORDS = /^(ref|refs|refcount|refcounted|refcnt|reference|references|referenced)$/;

/** `WeakRef`, `entryRef`, `refCounted`: the type's name says weak or ref. */
function namedForReferences(name: string): boolean {
  return /weak/i.test(name) || words(name).some((w) => REF_WORDS.test(w));
}

/** The struct's name or doc comment says weak reference, refcount or handle. */
function soundsWeak(name: string, spec: SyntaxNode): boolean {
  if (namedForReferences(name) || words(name).some((w) => w === 'handle' || w === 'handles')) return true;
  return /\bweak\b|\bref(erence)?[- ]?count|\breference[- ]counted\b/i.test(docComment(spec));
}

/** The lower-case words of a Go name: `traceRefCount` → trace, ref, count. */
function words(name: string): string[] {
  return name.split(/_|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/).map((w) => w.toLowerCase());
}

function structFields(struct: SyntaxNode): Field[] {
  const list = struct.namedChildren.find((c) => c.type === 'field_declaration_list');
  const fields: Field[] = [];
  for (const decl of list?.namedChildren.filter((c) => c.type === 'field_declaration') ?? []) {
    const type = decl.childForFieldName('type');
    if (!type) continue;
    for (const n of decl.childrenForFieldName('name')) fields.push({ name: n.text, decl, type });
  }
  return fields;
}

function typeParameterNames(spec: SyntaxNode): Set<string> {
  const params = spec.childForFieldName('type_parameters');
  const decls = params?.descendantsOfType('type_parameter_declaration') ?? [];
  return new Set(decls.flatMap((d) => d.childrenForFieldName('name').map((n) => n.text)));
}

/** A pointer, map, slice, interface or type parameter: something that keeps a value alive. */
function holdsStrongReference(type: SyntaxNode, typeParams: Set<string>, file: GoFile): boolean {
  switch (type.type) {
    case 'pointer_type': {
      // A pointer to a lock or an atomic is synchronisation, not a held value.
      const pointee = type.namedChildren[0];
      const pkgName = pointee?.type === 'qualified_type' ? pointee.childForFieldName('package')?.text : undefined;
      const path = pkgName ? file.imports.byName.get(pkgName) : undefined;
      return path !== 'sync' && path !== 'sync/atomic';
    }
    case 'map_type':
    case 'slice_type':
    case 'interface_type':
      return true;
    case 'type_identifier':
      return type.text === 'any' || typeParams.has(type.text);
    default:
      return false;
  }
}

const INTEGER_TYPES = /^u?int(8|16|32|64)?$|^uintptr$/;
const ATOMIC_INTEGER_TYPES = /^(Int32|Int64|Uint32|Uint64|Uintptr)$/;
const COUNTER_WORDS = /^(ref|refs|refcount|refcounts|refcnt|refcnts|references)$/;
const COUNTER_NAMES = /^(users|holders|pins|pinned|owners)$/i;
/** Names that count anything (hits, samples): a refcount only in a type named for references. */
const GENERIC_COUNTER_NAMES = /^(n|count|cnt)$/i;

/**
 * An integer (or sync/atomic integer) field named like a reference count; `count` and
 * the like only when `refType`, the type's own name, says weak or ref.
 */
function isCounter(field: Field, file: GoFile, refType: boolean): boolean {
  const named =
    COUNTER_NAMES.test(field.name) ||
    words(field.name).some((w) => COUNTER_WORDS.test(w)) ||
    (refType && GENERIC_COUNTER_NAMES.test(field.name));
  if (!named) return false;
  const t = field.type;
  if (t.type === 'type_identifier') return INTEGER_TYPES.test(t.text);
  if (t.type !== 'qualified_type') return false;
  const pkgName = t.childForFieldName('package')?.text ?? '';
  return file.imports.byName.get(pkgName) === 'sync/atomic' && ATOMIC_INTEGER_TYPES.test(t.childForFieldName('name')?.text ?? '');
}

const ATOMIC_ADD = ['AddInt32', 'AddInt64', 'AddUint32', 'AddUint64', 'AddUintptr'];
const ATOMIC_CAS = ['Int32', 'Int64', 'Uint32', 'Uint64'].flatMap((t) => [`CompareAndSwap${t}`, `Swap${t}`]);
const ATOMIC_STORE = ['StoreInt32', 'StoreInt64', 'StoreUint32', 'StoreUint64'];

/** Every change of an `x.<field>` counter in the package, where `x` may be a `typeName`. */
function countChanges(pkg: Package, field: string, typeName: string): CountChange[] {
  const changes: CountChange[] = [];
  for (const sel of selectorsOn(pkg, field, typeName)) {
    const change = changeAt(sel, pkg);
    if (change) changes.push(change);
  }
  return changes;
}

/**
 * The `x.<field>` selectors of the package that select that field of `typeName`, by the
 * model's types; where it cannot type the operand and the package declares the name on
 * several types, the selector may be this one's.
 */
function selectorsOn(pkg: Package, field: string, typeName: string): SyntaxNode[] {
  const own = typeIndex(pkg).decls.get(typeName)?.fields.find((f) => f.name === field);
  return selectorsOfField(pkg, field).filter((sel) => {
    const file = fileOfNode(pkg, sel);
    const f = fieldOfSelector(pkg, file, sel);
    return f === own || (f === null && selectionOf(pkg, file, sel) === null);
  });
}

/** How the statement around a counter selector `x.refs` changes it, if it does. */
function changeAt(sel: SyntaxNode, pkg: Package): CountChange | null {
  const parent = sel.parent;
  if (!parent) return null;
  if (parent.type === 'inc_statement') return { node: parent, kind: 'up', atomic: false };
  if (parent.type === 'dec_statement') return { node: parent, kind: 'down', atomic: false };
  if (parent.type === 'expression_list' && parent.parent?.type === 'assignment_statement') {
    const assign = parent.parent;
    if (assign.childForFieldName('left')?.id !== parent.id) return null;
    const op = assign.childForFieldName('operator')?.type;
    const value = assign.childForFieldName('right')?.namedChildren[0];
    if (op === '+=' || op === '-=') return { node: assign, kind: signOf(value, op === '-='), atomic: false };
    return { node: assign, kind: value && mentionsSelector(value, sel.text) ? 'either' : 'set', atomic: false };
  }
  // atomic.AddInt32(&x.refs, d) and friends.
  if (parent.type === 'unary_expression' && parent.child(0)?.type === '&' && parent.parent?.type === 'argument_list') {
    const call = parent.parent.parent;
    const file = call ? fileOf(pkg, call) : null;
    if (!call || !file || parent.parent.namedChildren[0]?.id !== parent.id) return null;
    const fn = calledPackageFunc(call, file.imports, 'sync/atomic', [...ATOMIC_ADD, ...ATOMIC_CAS, ...ATOMIC_STORE]);
    if (!fn) return null;
    if (ATOMIC_STORE.includes(fn)) return { node: call, kind: 'set', atomic: true };
    const kind = ATOMIC_ADD.includes(fn) ? signOf(parent.parent.namedChildren[1], false) : 'either';
    return { node: call, kind, atomic: true };
  }
  // x.refs.Add(d) on an atomic.Int32 field.
  const method = parent.type === 'selector_expression' && parent.childForFieldName('operand')?.id === sel.id ? parent : null;
  if (method && isCallee(method)) {
    const call = method.parent!;
    const name = method.childForFieldName('field')?.text;
    const arg = call.childForFieldName('arguments')?.namedChildren[0];
    if (name === 'Add') return { node: call, kind: signOf(arg, false), atomic: true };
    if (name === 'CompareAndSwap' || name === 'Swap') return { node: call, kind: 'either', atomic: true };
    if (name === 'Store') return { node: call, kind: 'set', atomic: true };
  }
  return null;
}

/** Whether a delta raises or lowers the counter: `1`, `-1`, `^uint32(0)`, `n` (unknown). */
function signOf(delta: SyntaxNode | undefined, subtracted: boolean): ChangeKind {
  if (!delta) return 'either';
  const d = unparen(delta);
  let kind: ChangeKind = 'either';
  if (d.type === 'int_literal') kind = 'up';
  else if (d.type === 'unary_expression' && (d.child(0)?.type === '-' || d.child(0)?.type === '^')) kind = 'down';
  if (subtracted && kind !== 'either') kind = kind === 'up' ? 'down' : 'up';
  return kind;
}

function mentionsSelector(expr: SyntaxNode, text: string): boolean {
  return expr.descendantsOfType('selector_expression').some((s) => s.text === text);
}

/** The change happens in a function that takes a lock (or says it runs under one). */
function underMutex(change: SyntaxNode): boolean {
  const fn = enclosingFunction(change);
  if (!fn) return false;
  if (/locked/i.test(functionName(fn) ?? '')) return true;
  const locks = (s: SyntaxNode) => /^R?Lock$/.test(s.childForFieldName('field')?.text ?? '') && isCallee(s);
  return fn.descendantsOfType('selector_expression').some(locks);
}

/** Some code of the package sets `x.<field> = nil` on a `typeName`: the value is dropped somewhere. */
function niledAnywhere(pkg: Package, field: string, typeName: string): boolean {
  return selectorsOn(pkg, field, typeName).some((sel) => assignedValue(sel)?.type === 'nil');
}

/**
 * Whether reaching zero drops the strong reference: in some function that lowers the count,
 * or compares it (directly, through a local it was loaded into, or through a getter such
 * as `getRefCount()`), the branch taken at zero nils or replaces a field, deletes a map
 * entry, closes or hands on what is held (`pool.Put(b.buf)`, `f.Close()`), or calls package
 * code that does, or a callback the model cannot see. Or the lowered count goes back to the
 * caller (`return atomic.AddInt32(&r.refs, -1) == 0`), who decides.
 */
function releasedAtZero(pkg: Package, typeName: string, counter: string, strong: Field[], downs: CountChange[]): boolean {
  if (downs.some((d) => insideReturn(d.node))) return true;
  const readers = functionsReading(pkg, counter, typeName);
  const getters = new Set([...readers].filter((fn) => returnsCount(fn, counter)).map((fn) => functionName(fn) ?? ''));
  getters.delete('');
  const judged = new Map<number, SyntaxNode>();
  const judge = (fn: SyntaxNode | null) => fn && judged.set(fn.id, fn);
  for (const d of downs) judge(enclosingFunction(d.node));
  for (const fn of readers) judge(fn);
  for (const fn of callersOf(pkg, getters)) judge(fn);
  const strongNames = new Set(strong.map((f) => f.name));
  return [...judged.values()].some((fn) => zeroBranches(fn, counter, getters).some((region) => drops(pkg, region, strongNames, 0)));
}

function insideReturn(node: SyntaxNode): boolean {
  for (let n: SyntaxNode | null = node; n && !FUNCTION_TYPES.has(n.type); n = n.parent) {
    if (n.type === 'return_statement') return true;
  }
  return false;
}

/** The functions and methods of the package that mention `x.<counter>`. */
function functionsReading(pkg: Package, counter: string, typeName: string): Set<SyntaxNode> {
  return new Set(selectorsOn(pkg, counter, typeName).flatMap((sel) => enclosingFunction(sel) ?? []));
}

/** A getter: the function returns the count, or a local loaded from it (`n := atomic.LoadInt32(&r.refs); return int(n)`). */
function returnsCount(fn: SyntaxNode, counter: string): boolean {
  const loaded = loadedFrom(fn, counter);
  return fn.descendantsOfType('return_statement').some((r) => mentionsField(r, counter) || mentionsNames(r, loaded));
}

/** Locals of `fn` set from an expression that reads the counter (`n := atomic.AddInt32(&r.refs, -1)`). */
function loadedFrom(fn: SyntaxNode, counter: string): Set<string> {
  const loaded = new Set<string>();
  for (const decl of fn.descendantsOfType(['short_var_declaration', 'assignment_statement'])) {
    if (mentionsField(decl.childForFieldName('right'), counter)) {
      for (const n of boundNames(decl)) if (n.type === 'identifier') loaded.add(n.text);
    }
  }
  return loaded;
}

function mentionsField(node: SyntaxNode | null, field: string): boolean {
  return !!node && node.descendantsOfType('field_identifier').some((f) => f.text === field);
}

function mentionsNames(node: SyntaxNode, names: Set<string>): boolean {
  return names.size > 0 && [node, ...node.descendantsOfType('identifier')].some((id) => id.type === 'identifier' && names.has(id.text));
}

/** Functions that call one of the getters by name. */
function callersOf(pkg: Package, getters: Set<string>): Set<SyntaxNode> {
  const callers = new Set<SyntaxNode>();
  if (getters.size === 0) return callers;
  for (const file of pkg.files) {
    for (const call of callsNamed(file, [...getters])) {
      const fn = enclosingFunction(call);
      if (fn && getters.has(calleeName(call) ?? '')) callers.add(fn);
    }
  }
  return callers;
}

function calleeName(call: SyntaxNode): string | null {
  const callee = call.childForFieldName('function');
  if (callee?.type === 'selector_expression') return callee.childForFieldName('field')?.text ?? null;
  return callee?.type === 'identifier' ? callee.text : null;
}

const AT_ZERO = new Set(['==', '<=', '<']);
const ABOVE_ZERO = new Set(['!=', '>', '>=']);

/**
 * The code that runs when the count has reached zero, for each `if` of `fn` that tests it:
 * the body of `if n == 0` (`<= 0`, `< 1`); for `if n != 0` (`> 0`, `>= 1`), the else branch and
 * the statements after the `if`. The count is `x.<counter>`, an expression reading it, a local
 * loaded from it, or a getter's result.
 */
function zeroBranches(fn: SyntaxNode, counter: string, getters: Set<string>): SyntaxNode[][] {
  const loaded = loadedFrom(fn, counter);
  const isCount = (e: SyntaxNode) =>
    mentionsField(e, counter) || mentionsNames(e, loaded) || [e, ...e.descendantsOfType('call_expression')].some((c) => c.type === 'call_expression' && getters.has(calleeName(c) ?? ''));
  const regions: SyntaxNode[][] = [];
  for (const stmt of fn.descendantsOfType('if_statement')) {
    const cond = stmt.childForFieldName('condition');
    const comparisons = cond ? [cond, ...cond.descendantsOfType('binary_expression')].filter((b) => b.type === 'binary_expression') : [];
    for (const cmp of comparisons) {
      const op = cmp.childForFieldName('operator')?.type ?? '';
      const [left, right] = [cmp.childForFieldName('left'), cmp.childForFieldName('right')];
      if (!left || !right || !isCount(left) || !/^[01]$/.test(right.text)) continue;
      const bound = right.text === '1';
      const atZero = bound ? op === '<' : AT_ZERO.has(op) && op !== '<';
      const aboveZero = bound ? op === '>=' : ABOVE_ZERO.has(op) && op !== '>=';
      if (atZero) regions.push([stmt.childForFieldName('consequence')!].filter(Boolean));
      else if (aboveZero) regions.push([stmt.childForFieldName('alternative'), ...followingStatements(stmt)].filter((n): n is SyntaxNode => !!n));
    }
  }
  return regions;
}

/** The statements after `stmt` in its block. */
function followingStatements(stmt: SyntaxNode): SyntaxNode[] {
  const list = stmt.parent;
  if (!list) return [];
  return list.namedChildren.filter((s) => s.startIndex > stmt.endIndex - 1 && s.id !== stmt.id);
}

/**
 * Whether code drops a strong reference: `x = nil`, a strong field of the type replaced,
 * `delete`, `close` or `clear`, a `Close()`, a strong field handed to a call (`pool.Put(b.buf)`),
 * or a call of package code that does one of these, or of a func value the model cannot see
 * (an onZero callback). A log line or a comment drops nothing.
 */
function drops(pkg: Package, region: SyntaxNode[], strong: Set<string>, depth: number): boolean {
  for (const root of region) {
    const file = fileOfNode(pkg, root);
    const assigns = [root, ...root.descendantsOfType('assignment_statement')].filter((a) => a.type === 'assignment_statement');
    for (const a of assigns) {
      if (a.childForFieldName('operator')?.type !== '=') continue;
      if (a.childForFieldName('right')?.namedChildren.some((v) => v.type === 'nil')) return true;
      if (boundNames(a).some((t) => t.type === 'selector_expression' && strong.has(t.childForFieldName('field')?.text ?? ''))) return true;
    }
    const calls = [root, ...root.descendantsOfType('call_expression')].filter((c) => c.type === 'call_expression');
    for (const call of calls) {
      const callee = unparen(call.childForFieldName('function')!);
      if (callee.type === 'identifier' && /^(delete|close|clear)$/.test(callee.text) && objectOf(pkg, file, callee)?.kind === 'builtin') return true;
      if (callee.type === 'selector_expression' && callee.childForFieldName('field')?.text === 'Close') return true;
      const args = call.childForFieldName('arguments')?.namedChildren ?? [];
      if (args.some((arg) => arg.type === 'selector_expression' && strong.has(arg.childForFieldName('field')?.text ?? ''))) return true;
      const callees = calleesOf(pkg, file, call);
      if (callees.length === 0 && callsUnseenFuncValue(pkg, file, callee)) return true;
      if (depth < 2 && callees.some((fn) => drops(pkg, [fn.childForFieldName('body') ?? fn], strong, depth + 1))) return true;
    }
  }
  return false;
}

/** `l.onZero()`, `release()` of a func-typed field or parameter whose value the model cannot see. */
function callsUnseenFuncValue(pkg: Package, file: GoFile, callee: SyntaxNode): boolean {
  if (callee.type === 'selector_expression') {
    const s = selectionOf(pkg, file, callee);
    return s?.kind === 'field' && underlying(pkg, typeFromSyntax(pkg, s.field.owner.file, s.field.typeNode)).kind === 'func';
  }
  if (callee.type !== 'identifier') return false;
  const obj = objectOf(pkg, file, callee);
  return (obj?.kind === 'param' || obj?.kind === 'var') && underlying(pkg, typeOf(pkg, file, callee)).kind === 'func';
}

/** `uintptr(unsafe.Pointer(x))` kept in a field, a map or a package variable as a "weak" pointer. */
function checkUintptrPointers(file: GoFile, pkg: Package, report: Reporter): void {
  for (const call of callsNamed(file, ['uintptr'])) {
    if (call.childForFieldName('function')?.text !== 'uintptr') continue;
    const arg = call.childForFieldName('arguments')?.namedChildren[0];
    if (arg?.type !== 'call_expression' || !calledPackageFunc(arg, file.imports, 'unsafe', ['Pointer'])) continue;
    const pointer = arg.childForFieldName('arguments')?.namedChildren[0];
    if (!pointer || isTestCode(call, file.isTest) || finalizerSetOn(pointer, call, file)) continue;
    const where = longLivedStore(call, pointer, pkg);
    if (!where) continue;
    const pointee = pointer.text;
    report({
      node: call,
      file,
      message:
        `uintptr(unsafe.Pointer(${pointee})) kept in ${where} is no weak pointer: the GC ignores it, ` +
        `so the object may be freed and its address reused`,
    });
  }
}

/**
 * Where the conversion is kept beyond the statement: `x.f = …`, `m[k] = …` or `m[…] = v`
 * on a field or package map, a package variable. Null for transient uses (arithmetic,
 * call arguments, locals).
 */
function longLivedStore(conv: SyntaxNode, pointer: SyntaxNode, pkg: Package): string | null {
  let value: SyntaxNode = conv;
  while (value.parent?.type === 'parenthesized_expression') value = value.parent;
  const index = value.parent;
  if (index?.type === 'index_expression' && index.childForFieldName('index')?.id === value.id && isAssignedTo(index)) {
    const map = index.childForFieldName('operand');
    return map && isLongLived(map, conv, pkg) ? `the map ${map.text} (as a key)` : null;
  }
  const target = assignmentTarget(value);
  if (!target || target.parent?.parent?.type === 'short_var_declaration') return null;
  if (target.type === 'identifier') {
    return isPackageVar(target, pkg) ? `the package variable ${target.text}` : null;
  }
  if (target.type === 'index_expression') {
    const map = target.childForFieldName('operand');
    return map && isLongLived(map, conv, pkg) ? `${map.text}[…]` : null;
  }
  if (target.type === 'selector_expression') {
    // `b.next = uintptr(unsafe.Pointer(&b.buf[0]))`: a cursor into the holder itself, which lives as long as it does.
    if (rootIdentifier(pointer) === rootIdentifier(target)) return null;
    return isLongLived(target, conv, pkg) ? `the field ${target.text}` : null;
  }
  return null;
}

/**
 * The function sets a finalizer or cleanup on the object (`runtime.SetFinalizer(v, forget)`):
 * the pre-1.24 way to build a weak pointer that forgets the address before it is reused.
 */
function finalizerSetOn(pointer: SyntaxNode, at: SyntaxNode, file: GoFile): boolean {
  const fn = enclosingFunction(at);
  if (!fn) return false;
  return fn.descendantsOfType('call_expression').some(
    (c) =>
      calledPackageFunc(c, file.imports, 'runtime', ['SetFinalizer', 'AddCleanup']) &&
      c.childForFieldName('arguments')?.namedChildren[0]?.text === pointer.text,
  );
}

/**
 * A field selector or a package variable: it outlives the function. A field of a local
 * struct built for a system call (`msg.Name = uintptr(...)`) is transient, so a selector
 * counts only on the method's receiver or a package variable.
 */
function isLongLived(expr: SyntaxNode, at: SyntaxNode, pkg: Package): boolean {
  const e = unparen(expr);
  if (e.type === 'identifier') return isPackageVar(e, pkg);
  if (e.type !== 'selector_expression') return false;
  const operand = unparen(e.childForFieldName('operand')!);
  if (operand.type === 'selector_expression') return isLongLived(operand, at, pkg);
  if (operand.type !== 'identifier') return false;
  return objectOf(pkg, fileOfNode(pkg, operand), operand)?.kind === 'receiver' || isPackageVar(operand, pkg);
}

/** A package-level variable, as the model resolves the name where it is used. */
function isPackageVar(id: SyntaxNode, pkg: Package): boolean {
  const obj = objectOf(pkg, fileOfNode(pkg, id), id);
  return obj?.kind === 'var' && obj.fn === null;
}
