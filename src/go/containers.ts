import path from 'node:path';
import type { SyntaxNode } from './tree.js';
import type { GoFile, Package } from '../engine/types.js';
import { assignmentTarget, escapeOf } from './escape.js';
import { identifierUses, nodesOfType } from './nodes.js';
import { calleesOf, callersOf } from './model/calls.js';
import { frequencyOf, innermostLoop, isBoundedLoop, onlyTestsRun, withoutNote, type HowOften } from './model/frequency.js';
import { objectOf, packageObjects, usesOf as objectUses, type GoObject } from './model/names.js';
import {
  declOf,
  deref,
  fieldOfSelector,
  fileOfNode,
  isNamed,
  receiverTypeName,
  selectionOf,
  typeFromSyntax,
  typeIndex,
  typeOf,
  typeOfObject,
  underlying,
  type FieldInfo,
  type GoType,
} from './model/types.js';
import { flowOf } from './model/values.js';
import { selectorsOfField } from './package.js';
import { docComment, enclosingFunction, FUNCTION_TYPES, functionName, unparen } from './syntax.js';

/*
 * Long-lived containers that only grow: the analysis shared by unbounded-map-cache and
 * append-only-slice, on the package model.
 *
 * A container is a package-level variable, or a field of a struct type that lives long (see
 * `longLivedStructs`), holding a map, a sync.Map or a slice. Every use of it anywhere in the
 * package (code only tests run left out) is classified by what it does to the container's size
 * (`effectsAt`): it inserts (`m[k] = v`, `m[k]++`, `Store`, `s = append(s, ...)`), or it
 * limits it: removes (`delete`, `clear`, `Delete`, a method of its named type that does),
 * shrinks or replaces the whole value at run time (`s = s[1:]`, `m = make(...)`, `s = nil`),
 * bounds it (`len(m)` compared with a limit), or hands it to code the model cannot see. A
 * map given to a local, a field or a parameter of the package's own code is followed there
 * by the model's value flow, so a `delete` through an alias or in a pruning helper counts.
 *
 * An insert makes the container grow only where it runs per call or per iteration
 * (frequency.ts): not at init, in main, behind a sync.Once, in functions only those reach,
 * nor in a bounded loop of such code, nor on the value a constructor is building. The
 * rules add what is particular to them (a map's finite keys, domain.ts) and word findings.
 *
 * Heuristics that remain, each named where it lives: one-shot commands and test-support
 * code (`oneShotCommand`, `TEST_SUPPORT_*`), which struct types live long
 * (`longLivedStructs`), exported registration functions whose callers the model cannot see
 * (`conventionalRegistration`).
 */

export type ContainerKind = 'map' | 'sync.Map' | 'slice';

/** Where the model keeps a container: a package variable, a field of a package type, or a field of a package variable's anonymous struct. */
export type Place =
  | { kind: 'var'; obj: GoObject }
  | { kind: 'field'; field: FieldInfo }
  | { kind: 'anonymous'; holder: GoObject; field: string };

/** A package-level variable or a field of a long-lived struct that holds a map or a slice. */
export interface Container {
  kind: ContainerKind;
  name: string;
  /** The struct type that declares the field (the variable, for an anonymous struct); null for a variable. */
  holder: string | null;
  place: Place;
  /** Where it is declared: the var_spec or the field_declaration. */
  decl: SyntaxNode;
  file: GoFile;
  /** A map's key type as the model reads it; null for slices and sync.Maps. */
  keyType: GoType | null;
  /** The container's own named type (`type refSet map[string]int`), whose methods may change it. */
  named: GoType | null;
}

export interface Site {
  node: SyntaxNode;
  file: GoFile;
}

/** An insert that grows the container: where, with what key (a map's), and how often it runs. */
export interface Insert extends Site {
  key: SyntaxNode | null;
  how: HowOften;
}

/** What one use of a container does to its size. */
type Effect = { kind: 'insert'; node: SyntaxNode; file: GoFile; key: SyntaxNode | null } | { kind: 'limit' };

const LIMIT: Effect = { kind: 'limit' };
const SYNC_MAP_INSERTS = new Set(['Store', 'LoadOrStore', 'Swap']);
const SYNC_MAP_REMOVALS = new Set(['Delete', 'LoadAndDelete', 'CompareAndDelete', 'Clear']);
const COMPARISONS = new Set(['<', '<=', '>', '>=']);
const MAX_DEPTH = 3;

interface PackageFacts {
  containers: Container[];
  /** Struct type → whether its values are built per call (see `builtPerCall`). */
  perCall: Map<string, boolean>;
}

const factsByPackage = new WeakMap<Package, PackageFacts>();

/** The package's long-lived maps, sync.Maps and slices, declared outside test files. */
export function longLivedContainers(pkg: Package): Container[] {
  return factsOf(pkg).containers;
}

/**
 * The inserts of a container that only grows: inserts that run per call or per iteration,
 * when no use anywhere in the package removes entries, shrinks or replaces the whole value,
 * compares its length or hands it to code the model cannot see. Empty when the container is
 * limited or never filled at run time.
 */
export function unboundedInserts(pkg: Package, c: Container): Insert[] {
  const g = growthOf(pkg, c);
  return g.kind === 'grows' ? g.inserts : [];
}

/**
 * What the package does to a container's size, for unboundedInserts and for a heap profile
 * to weigh: it grows (inserts that run per call or per iteration); it is limited (a use
 * removes, shrinks, replaces, size-checks or hands it on: the model's proof, or what it
 * cannot see); its inserts were judged to run once (`once`: at start-up, once per value, in
 * a registration function, or into a holder built per call); or nothing fills it.
 */
export type Growth = { kind: 'grows'; inserts: Insert[] } | { kind: 'limited' } | { kind: 'once'; inserts: Site[] } | { kind: 'unfilled' };

export function growthOf(pkg: Package, c: Container): Growth {
  const facts = factsOf(pkg);
  if (!mayBeFilled(pkg, c)) return { kind: 'unfilled' };
  const inserts: Insert[] = [];
  const once: Site[] = [];
  for (const use of usesOfContainer(pkg, c)) {
    if (onlyTestsRun(pkg, use.node)) continue;
    for (const effect of effectsAt(pkg, c, use.node, use.file, false, 0)) {
      if (effect.kind === 'limit') return { kind: 'limited' };
      if (!use.exact) continue;
      const how = growth(pkg, c, effect.node);
      if (how) inserts.push({ node: effect.node, file: effect.file, key: effect.key, how });
      else once.push({ node: effect.node, file: effect.file });
    }
  }
  // Checked last, for the few containers that get this far: the holder may be built per call.
  if (inserts.length > 0 && c.place.kind === 'field' && builtPerCall(c.holder!, pkg, facts)) return { kind: 'once', inserts };
  if (inserts.length > 0) return { kind: 'grows', inserts };
  return once.length ? { kind: 'once', inserts: once } : { kind: 'unfilled' };
}

/**
 * A cheap text test before the uses are looked up: some file holds what an insert looks like
 * in gofmt'd code (`name[`, `name = append(`, `name.Store(`), or the container has a named
 * type whose methods may fill it. Most containers are tables that are only read.
 */
function mayBeFilled(pkg: Package, c: Container): boolean {
  if (c.named && declOf(pkg, c.named)?.methods.size) return true;
  const name = c.holder === null ? c.name : `.${c.name}`;
  const shapes =
    c.kind === 'map' ? [`${name}[`] : c.kind === 'slice' ? [`${name} = append(`] : [...SYNC_MAP_INSERTS].map((m) => `${name}.${m}(`);
  return pkg.files.some((f) => shapes.some((shape) => f.source.includes(shape)));
}

// ---- One-shot code ----

/** Imports that show a package serves or calls over the network: code that may run for long. */
const SERVING = new Set(['net', 'net/http', 'google.golang.org/grpc']);

/**
 * A heuristic, named as one: test support code lives for a test run — directories such as
 * `testutil`, `rafttest`, `integration`, `mocks`, `fakes`, and files such as `handler_mock.go`.
 */
const TEST_SUPPORT_DIR = /(^|\/)(\w*test\w*|mocks?\w*|fakes?|integration|functional)(\/|$)/i;
const TEST_SUPPORT_FILE = /(^|[_-])(mocks?|fakes?)([_-][\w-]*)?\.go$/i;

/**
 * A heuristic, named as one: a command that serves nothing (package main, or a package under
 * a cmd/ directory, that imports no network package), or test support code, runs one job
 * and exits, so its tables die with it. Says which, or null.
 */
export function oneShotCommand(pkg: Package): string | null {
  // The package's directory as the run names it: where the checkout lives says nothing.
  if (pkg.files.length && TEST_SUPPORT_DIR.test(path.dirname(pkg.files[0].path))) return 'its directory holds test-support code';
  if (pkg.name !== 'main' && !/(^|\/)cmd(\/|$)/.test(pkg.dir)) return null;
  if (pkg.files.some((f) => [...f.imports.byName.values()].some((path) => SERVING.has(path)))) return null;
  return `${pkg.name === 'main' ? 'package main' : 'a cmd/ package'} that imports no network package was taken for a one-shot command`;
}

// ---- Which containers there are ----

function factsOf(pkg: Package): PackageFacts {
  let facts = factsByPackage.get(pkg);
  if (facts) return facts;
  facts = { containers: [], perCall: new Map() };
  factsByPackage.set(pkg, facts);
  if (oneShotCommand(pkg)) return facts;
  const live = longLivedStructs(pkg);
  facts.containers = containersOf(pkg, (type) => live.has(type)).filter((c) => !TEST_SUPPORT_FILE.test(path.basename(c.file.path)));
  return facts;
}

/** A container with the heuristic, if any, that keeps it out of longLivedContainers. */
export interface Judged {
  container: Container;
  judgement: string | null;
}

/**
 * Every map, sync.Map and slice held by a package variable or a field of any struct type
 * of the package (outside tests), each with the heuristic that judged it short-lived, if
 * one did: a heap profile that shows one holds much overrules a heuristic, not a proof.
 */
export function containersForEvidence(pkg: Package): Judged[] {
  const oneShot = oneShotCommand(pkg);
  const live = longLivedStructs(pkg);
  return containersOf(pkg, () => true).map((container) => {
    const shortLived = container.place.kind === 'field' && !live.has(container.holder!) ? `type ${container.holder} was taken to be short-lived` : null;
    const support = TEST_SUPPORT_FILE.test(path.basename(container.file.path)) ? 'its file holds test-support code' : null;
    return { container, judgement: oneShot ?? support ?? shortLived };
  });
}

/** The containers of package variables and of the fields of the struct types `live` accepts. */
function containersOf(pkg: Package, live: (type: string) => boolean): Container[] {
  const containers: Container[] = [];
  for (const obj of packageObjects(pkg).values()) {
    if (obj.kind !== 'var' || !obj.file || obj.file.isTest || !obj.decl) continue;
    const t = typeOfObject(pkg, obj);
    const shape = shapeOf(pkg, t);
    if (shape) containers.push({ ...shape, name: obj.name, holder: null, place: { kind: 'var', obj }, decl: obj.decl, file: obj.file });
    // Fields of an anonymous struct held by a package variable live as long as it does.
    if (t.kind === 'struct') {
      for (const field of structFields(t.node)) {
        const fieldShape = shapeOf(pkg, typeFromSyntax(pkg, t.file, field.childForFieldName('type')));
        for (const name of fieldShape ? field.childrenForFieldName('name') : []) {
          const place: Place = { kind: 'anonymous', holder: obj, field: name.text };
          containers.push({ ...fieldShape!, name: name.text, holder: obj.name, place, decl: field, file: obj.file });
        }
      }
    }
  }
  for (const decl of typeIndex(pkg).decls.values()) {
    if (decl.file.isTest || decl.typeNode?.type !== 'struct_type' || !live(decl.name)) continue;
    for (const field of decl.fields) {
      const shape = field.embedded ? null : shapeOf(pkg, typeFromSyntax(pkg, decl.file, field.typeNode));
      if (shape) containers.push({ ...shape, name: field.name, holder: decl.name, place: { kind: 'field', field }, decl: field.decl, file: decl.file });
    }
  }
  return containers;
}

function structFields(struct: SyntaxNode): SyntaxNode[] {
  return struct.namedChildren.find((c) => c.type === 'field_declaration_list')?.namedChildren.filter((c) => c.type === 'field_declaration') ?? [];
}

/** Whether a type is a map, a sync.Map or a slice, through the package's named types. */
function shapeOf(pkg: Package, t: GoType): Pick<Container, 'kind' | 'keyType' | 'named'> | null {
  if (isNamed(t, 'sync', 'Map')) return { kind: 'sync.Map', keyType: null, named: null };
  const named = t.kind === 'named' && t.pkg === null ? t : null;
  const u = underlying(pkg, t);
  if (u.kind === 'map') return { kind: 'map', keyType: u.key, named };
  if (u.kind === 'slice') return { kind: 'slice', keyType: null, named };
  return null;
}

// ---- Which struct types live long ----

/**
 * A heuristic, named as one, for which struct types have values that live long: held by a
 * package-level variable, running a method as a goroutine (`go s.loop()`), or shared between
 * goroutines (they hold a mutex or a sync.Map). A struct built per call and dropped has none
 * of these, and its maps die with it; nor do the nodes of a tree or list (`isNode`), nor, unless
 * a package variable holds one or a goroutine runs on one, types the package only makes at
 * run time, per call (`madePerCall`). Structs
 * merely held by a long-lived one are left out: a long-lived node often points back to a
 * scoped one (a type to the checker that made it).
 */
function longLivedStructs(pkg: Package): Set<string> {
  const live = new Set<string>();
  /** Types held by a package variable that is given a value; types running a method as a goroutine. */
  const held = new Set<string>();
  const running = new Set<string>();
  const add = (t: GoType, initialised: boolean) => {
    const d = declOf(pkg, t);
    if (d) live.add(d.name);
    if (d && initialised) held.add(d.name);
  };
  for (const obj of packageObjects(pkg).values()) {
    if (obj.kind !== 'var' || !obj.file || obj.file.isTest || obj.decl?.type !== 'var_spec') continue;
    const declared = obj.decl.childForFieldName('type');
    const value = obj.decl.childForFieldName('value')?.namedChildren[obj.index];
    if (declared) add(typeFromSyntax(pkg, obj.file, declared), !!value);
    // A plain struct value (`var empty = Interface{...}`) is a sentinel, not a service.
    else if (value && unparen(value).type !== 'composite_literal') add(typeOf(pkg, obj.file, value), true);
  }
  for (const file of pkg.files) {
    if (file.isTest || !/\bgo\s/.test(file.source)) continue;
    for (const stmt of nodesOfType(file, 'go_statement')) {
      const call = stmt.namedChildren[0];
      if (call?.type !== 'call_expression') continue;
      for (const callee of calleesOf(pkg, file, call)) {
        const recv = callee.type === 'method_declaration' ? receiverTypeName(callee) : null;
        if (recv) live.add(recv);
        if (recv) running.add(recv);
      }
    }
  }
  for (const decl of typeIndex(pkg).decls.values()) {
    const shared = decl.fields.some((f) => {
      const t = deref(typeFromSyntax(pkg, decl.file, f.typeNode));
      return isNamed(t, 'sync', 'Mutex') || isNamed(t, 'sync', 'RWMutex') || isNamed(t, 'sync', 'Map');
    });
    if (shared) live.add(decl.name);
  }
  for (const name of live) if (isNode(pkg, name) || (!held.has(name) && !running.has(name) && madePerCall(pkg, name))) live.delete(name);
  return live;
}

/**
 * Whether every value of a struct type the package builds (`&T{...}`, `T{...}`, `new(T)`) is
 * made where code runs per call or per iteration — a request's response, a transaction, a
 * per-import result — rather than once per process or by a constructor (once per value):
 * values made at run time, one for each piece of work, that live as long as it. False when
 * the package never builds one (a type other packages make may live for the process).
 */
function madePerCall(pkg: Package, type: string): boolean {
  const sites = [...constructionSites(type, pkg), ...localVariablesOf(pkg, type)];
  return sites.length > 0 && sites.every((site) => runsPerCall(pkg, site, 0));
}

/** `var errs T` inside a function: a value of the type made where the declaration runs. */
function localVariablesOf(pkg: Package, type: string): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  for (const file of pkg.files) {
    if (file.isTest || !file.source.includes(` ${type}`)) continue;
    for (const spec of nodesOfType(file, 'var_spec')) {
      if (spec.childForFieldName('type')?.text === type && enclosingFunction(spec)) found.push(spec);
    }
  }
  return found;
}

/** Whether `node` runs per call or per iteration; in a constructor (once per value), whether every call of the constructor does. */
function runsPerCall(pkg: Package, node: SyntaxNode, depth: number): boolean {
  const how = frequencyOf(pkg, node);
  if (how.kind === 'per-call' || how.kind === 'per-iteration') return true;
  const fn = declaredFunctionOf(node);
  if (how.kind !== 'once-per-value' || !fn || depth > 1) return false;
  const { sites, escapes } = callersOf(pkg, fn);
  const production = sites.filter((s) => !s.file.isTest);
  return escapes.length === 0 && production.length > 0 && production.every((s) => runsPerCall(pkg, s.call, depth + 1));
}

/**
 * A struct that points to its own type (`parent *node`, `children []*node`) is a node of a
 * tree or a list: there are many, each living as long as its part of the structure.
 */
function isNode(pkg: Package, name: string): boolean {
  const decl = typeIndex(pkg).decls.get(name);
  return !!decl && decl.fields.some((f) => (f.typeNode?.text ?? '').replace(/^(\[\]|\*)+/, '') === name);
}

// ---- Uses and what they do ----

interface Use extends Site {
  /** The model shows the use is of this container; false where it cannot tell (an operand of unknown type). */
  exact: boolean;
}

/** The container's uses: its variable's identifiers, or `x.name` selecting its field. */
function usesOfContainer(pkg: Package, c: Container): Use[] {
  const place = c.place;
  if (place.kind === 'var') {
    return objectUses(pkg, place.obj).map((node) => ({ node, file: fileOfNode(pkg, node), exact: true }));
  }
  const uses: Use[] = [];
  for (const sel of selectorsOfField(pkg, c.name)) {
    const file = fileOfNode(pkg, sel);
    if (place.kind === 'anonymous') {
      const operand = unparen(sel.childForFieldName('operand')!);
      if (operand.type === 'identifier' && objectOf(pkg, file, operand) === place.holder) uses.push({ node: sel, file, exact: true });
      continue;
    }
    const field = fieldOfSelector(pkg, file, sel);
    if (field === place.field) uses.push({ node: sel, file, exact: true });
    // An operand the model cannot type may be this container: it may limit it, not fill it.
    else if (field === null && selectionOf(pkg, file, sel) === null) uses.push({ node: sel, file, exact: false });
  }
  return uses;
}

/**
 * What the expression `use`, denoting the container (or, when `shared`, a copy of its header:
 * an alias, a parameter, a method's receiver), does to it. A copy reassigned changes nothing;
 * a map moved elsewhere is followed by the model's value flow.
 */
function effectsAt(pkg: Package, c: Container, use: SyntaxNode, file: GoFile, shared: boolean, depth: number): Effect[] {
  const parent = use.parent;
  if (!parent) return [];
  if (parent.type === 'parenthesized_expression') return effectsAt(pkg, c, parent, file, shared, depth);
  if (parent.type === 'index_expression' && parent.childForFieldName('operand')?.id === use.id) {
    return c.kind === 'map' && isWritten(parent) ? [{ kind: 'insert', node: use, file, key: parent.childForFieldName('index') }] : [];
  }
  if (parent.type === 'selector_expression' && parent.childForFieldName('operand')?.id === use.id) {
    return methodEffects(pkg, c, use, parent, file, depth);
  }
  if (parent.type === 'unary_expression') {
    const op = parent.child(0)?.type;
    // `*s = (*s)[:n]` in a method on a pointer receiver: the container itself.
    if (op === '*') return effectsAt(pkg, c, parent, file, false, depth);
    // Its address handed around: anything may happen to it.
    return op === '&' ? [LIMIT] : [];
  }
  if (isWholeAssignment(use)) return assignmentEffects(pkg, c, use, file, shared);
  if (parent.type === 'argument_list') return argumentEffects(pkg, c, use, file, shared);
  // A map given to a variable, a field, a literal or a caller: follow it.
  if (c.kind !== 'slice' && !shared && movesValue(use)) return movedEffects(pkg, c, use, file, depth);
  return [];
}

/** `m[k] = v`, `m[k] += v`, `m[k]++`: the index is written, which may add the key. */
function isWritten(index: SyntaxNode): boolean {
  const holder = index.parent;
  if (holder?.type === 'inc_statement' || holder?.type === 'dec_statement') return true;
  const stmt = holder?.parent;
  return holder?.type === 'expression_list' && stmt?.type === 'assignment_statement' && stmt.childForFieldName('left')?.id === holder.id;
}

function isWholeAssignment(use: SyntaxNode): boolean {
  const list = use.parent;
  const stmt = list?.parent;
  return list?.type === 'expression_list' && stmt?.type === 'assignment_statement' && stmt.childForFieldName('left')?.id === list.id;
}

/**
 * `m.Store(k, v)` on a sync.Map; a method of the container's named type, whose effects on its
 * receiver are the call's (`s.refs.remove(k)` with `func (r refSet) remove(k string) { delete(r, k) }`).
 */
function methodEffects(pkg: Package, c: Container, use: SyntaxNode, sel: SyntaxNode, file: GoFile, depth: number): Effect[] {
  const call = sel.parent;
  if (call?.type !== 'call_expression' || call.childForFieldName('function')?.id !== sel.id) return [];
  const method = sel.childForFieldName('field')?.text ?? '';
  if (c.kind === 'sync.Map') {
    if (SYNC_MAP_REMOVALS.has(method)) return [LIMIT];
    const key = call.childForFieldName('arguments')?.namedChildren[0] ?? null;
    return SYNC_MAP_INSERTS.has(method) ? [{ kind: 'insert', node: use, file, key }] : [];
  }
  const s = selectionOf(pkg, file, sel);
  if (s?.kind !== 'method' || depth >= MAX_DEPTH) return [];
  const recv = s.decl.childForFieldName('receiver')?.namedChildren.find((p) => p.type === 'parameter_declaration');
  const ident = recv?.childForFieldName('name');
  const methodFile = fileOfNode(pkg, s.decl);
  const obj = ident ? objectOf(pkg, methodFile, ident) : null;
  if (!obj) return [];
  // An insert in the method adds to this container where the method is called.
  return objectUses(pkg, obj)
    .flatMap((u) => effectsAt(pkg, c, u, methodFile, true, depth + 1))
    .map((e): Effect => (e.kind === 'insert' ? { ...e, node: use, file } : e));
}

/** `s = append(s, ...)` inserts; any other whole assignment at run time shrinks or replaces the value. */
function assignmentEffects(pkg: Package, c: Container, use: SyntaxNode, file: GoFile, shared: boolean): Effect[] {
  const list = use.parent!;
  const right = list.parent!.childForFieldName('right')?.namedChildren[list.namedChildren.findIndex((n) => n.id === use.id)];
  if (c.kind === 'slice' && right && isAppendTo(right, use)) return shared ? [] : [{ kind: 'insert', node: use, file, key: null }];
  // Reassigning a copy of the header leaves the container as it was.
  if (shared) return [];
  return initializes(pkg, c, use, file) ? [] : [LIMIT];
}

function isAppendTo(value: SyntaxNode, target: SyntaxNode): boolean {
  const v = unparen(value);
  if (v.type !== 'call_expression' || v.childForFieldName('function')?.text !== 'append') return false;
  return v.childForFieldName('arguments')?.namedChildren[0]?.text === target.text;
}

/**
 * Whether a whole assignment sets the container up rather than resetting it: where it runs
 * once per process or once per value (init, a constructor, a nil check, a sync.Once), or on a
 * value the function is building.
 */
function initializes(pkg: Package, c: Container, use: SyntaxNode, file: GoFile): boolean {
  const how = frequencyOf(pkg, use);
  if (how.kind === 'once-per-process' || how.kind === 'once-per-value') return true;
  // `if x.m == nil { x.m = make(...) }` where the model cannot type `x` (an anonymous struct): lazy set-up.
  if (guardedByNilCheck(use)) return true;
  return c.place.kind === 'field' && onValueBuiltHere(pkg, file, use);
}

function guardedByNilCheck(use: SyntaxNode): boolean {
  for (let n = use.parent; n && !FUNCTION_TYPES.has(n.type); n = n.parent) {
    const cond = n.type === 'if_statement' ? n.childForFieldName('condition')?.text.replace(/\s+/g, '') : undefined;
    if (cond === `${use.text}==nil`) return true;
  }
  return false;
}

/** Whether `x.field` selects a field of a value its function builds: a local made from `&T{...}`, `T{...}`, `new(T)` or `var x T`. */
function onValueBuiltHere(pkg: Package, file: GoFile, sel: SyntaxNode): boolean {
  if (sel.type !== 'selector_expression') return false;
  const operand = unparen(sel.childForFieldName('operand') ?? sel);
  const obj = operand.type === 'identifier' ? objectOf(pkg, file, operand) : null;
  if (obj?.kind !== 'var' || !obj.fn || !obj.decl) return false;
  if (obj.decl.type === 'var_spec') return !obj.decl.childForFieldName('value');
  if (obj.decl.type !== 'short_var_declaration') return false;
  const value = obj.decl.childForFieldName('right')?.namedChildren[obj.index];
  let v = value ? unparen(value) : null;
  if (v?.type === 'unary_expression' && v.child(0)?.type === '&') v = v.namedChildren[0];
  return v?.type === 'composite_literal' || (v?.type === 'call_expression' && v.childForFieldName('function')?.text === 'new');
}

/**
 * `delete(m, k)`, `clear(m)`, `maps.DeleteFunc(m, ...)`, `slices.Delete(s, ...)` remove;
 * `len(m) > max` bounds; a map passed to the package's own code is followed into it, one passed
 * to code the model cannot see may be pruned there; calls on other packages only read.
 */
function argumentEffects(pkg: Package, c: Container, use: SyntaxNode, file: GoFile, shared: boolean): Effect[] {
  const call = use.parent!.parent!;
  const callee = unparen(call.childForFieldName('function')!);
  const first = call.childForFieldName('arguments')?.namedChildren[0]?.id === use.id;
  const builtin = callee.type === 'identifier' && objectOf(pkg, file, callee)?.kind === 'builtin' ? callee.text : null;
  if (first && (builtin === 'delete' || builtin === 'clear')) return [LIMIT];
  if (builtin === 'len' || builtin === 'cap') return isCompared(call) ? [LIMIT] : [];
  if (builtin) return [];
  const s = callee.type === 'selector_expression' ? selectionOf(pkg, file, callee) : null;
  if (s?.kind === 'package') {
    const removes = (s.importPath === 'maps' && /^(DeleteFunc|Clear)$/.test(s.name)) || (s.importPath === 'slices' && /^(Delete|DeleteFunc|Compact|CompactFunc)$/.test(s.name));
    return first && removes ? [LIMIT] : [];
  }
  // A slice header passed on cannot shorten the original.
  if (c.kind === 'slice' || shared) return [];
  return movedEffects(pkg, c, use, file, 0);
}

/** `len(m) > max`, `len(s) == cap(s)`: a limit, not an emptiness test (`len(m) == 0`). */
function isCompared(lenCall: SyntaxNode): boolean {
  let n = lenCall;
  while (n.parent?.type === 'parenthesized_expression') n = n.parent;
  const cmp = n.parent;
  if (cmp?.type !== 'binary_expression') return false;
  const op = cmp.childForFieldName('operator')?.type ?? '';
  if (COMPARISONS.has(op)) return true;
  const other = [cmp.childForFieldName('left'), cmp.childForFieldName('right')].find((x) => x && x.id !== n.id);
  return (op === '==' || op === '!=') && !!other && !/^[01]$/.test(other.text);
}

/** The value goes somewhere: the right of an assignment, an element of a literal, a send, a return. */
function movesValue(use: SyntaxNode): boolean {
  const escape = escapeOf(use);
  return escape === 'aliased' || escape === 'stored' || escape === 'returned' || escape === 'sent';
}

/**
 * Where the model's value flow takes the map from `use`: every use of the variables, fields
 * and parameters that get it, classified as copies of the container. Handed to code the model
 * cannot see (another package's function that may keep it, a func value, a container): limited.
 */
function movedEffects(pkg: Package, c: Container, use: SyntaxNode, file: GoFile, depth: number): Effect[] {
  if (depth >= MAX_DEPTH) return [LIMIT];
  const flow = flowOf(pkg, file, use);
  const unseen = flow.holders.some((h) => h.kind === 'element' || (h.kind === 'unknown' && !readsOnly(pkg, h.at)));
  if (unseen) return [LIMIT];
  return flow.uses.filter((u) => u.node.id !== use.id).flatMap((u) => effectsAt(pkg, c, u.node, u.file, true, depth + 1));
}

/** A call of another package's function (`json.Marshal(m)`, `fmt.Println(m)`): it reads what it is given. */
function readsOnly(pkg: Package, at: SyntaxNode): boolean {
  if (at.type !== 'call_expression') return false;
  const callee = unparen(at.childForFieldName('function')!);
  return callee.type === 'selector_expression' && selectionOf(pkg, fileOfNode(pkg, at), callee)?.kind === 'package';
}

// ---- How often an insert runs ----

/**
 * How often an insert adds to the container, or null when it does not grow it: once per
 * process, once per value of the container's holder, or in a bounded loop of such code
 * (`for _, d := range defaults` in init), or on the value a function is building, or in a
 * registration function (`conventionalRegistration`).
 */
function growth(pkg: Package, c: Container, node: SyntaxNode): HowOften | null {
  const file = fileOfNode(pkg, node);
  if (c.place.kind === 'field' && onValueBuiltHere(pkg, file, node)) return null;
  let fn = enclosingFunction(node);
  while (fn?.type === 'func_literal') fn = enclosingFunction(fn);
  if (fn && conventionalRegistration(pkg, fn)) return null;
  if (underFalseConstant(pkg, file, node)) return null;
  return growthAt(pkg, c, node, node, file, 0);
}

/** Code that never runs: the body of `if debug {` where `debug` is a constant set to false. */
function underFalseConstant(pkg: Package, file: GoFile, node: SyntaxNode): boolean {
  let child = node;
  for (let n = node.parent; n && !FUNCTION_TYPES.has(n.type); child = n, n = n.parent) {
    if (n.type !== 'if_statement' || n.childForFieldName('consequence')?.id !== child.id) continue;
    const cond = unparen(n.childForFieldName('condition')!);
    const obj = cond.type === 'identifier' ? objectOf(pkg, file, cond) : null;
    const value = obj?.kind === 'const' ? obj.decl?.childForFieldName('value')?.namedChildren[obj.index] : null;
    if (value?.type === 'false') return true;
  }
  return false;
}

/** How often `at` (the insert, or a bounded loop around it) adds to the container through `insert`. */
function growthAt(pkg: Package, c: Container, insert: SyntaxNode, at: SyntaxNode, file: GoFile, depth: number): HowOften | null {
  const how = frequencyOf(pkg, at);
  if (how.kind === 'once-per-process') return null;
  // Once per value of the holder: the receiver's own field, filled as the value is set up.
  if (how.kind === 'once-per-value') return c.place.kind === 'field' && onReceiver(pkg, file, insert) ? null : how;
  if (how.kind !== 'per-iteration' || depth > 4) return how;
  const loop = innermostLoop(at);
  if (!loop || !isBoundedLoop(pkg, file, loop, once(pkg, loop))) return how;
  // A bounded loop adds a bounded number of entries each time it runs: as often as the loop itself.
  return growthAt(pkg, c, insert, loop, file, depth + 1);
}

/** Whether the function around `node` runs once per process (init, main, what only they reach). */
function once(pkg: Package, node: SyntaxNode): boolean {
  const fn = enclosingFunction(node);
  return !fn || frequencyOf(pkg, fn.childForFieldName('body') ?? fn).kind === 'once-per-process';
}

/** Whether `x.field` selects a field of the method's receiver. */
function onReceiver(pkg: Package, file: GoFile, node: SyntaxNode): boolean {
  const sel = node.type === 'selector_expression' ? node : null;
  const operand = sel ? unparen(sel.childForFieldName('operand')!) : null;
  return operand?.type === 'identifier' && objectOf(pkg, file, operand)?.kind === 'receiver';
}

/**
 * A heuristic, named as one, for registration functions the model cannot see the callers of:
 * by Go convention `Register`, `MustRegister`, a `Handle` that takes a handler (`mux.Handle(pattern, h)`,
 * not `Handle(w http.ResponseWriter, r *http.Request)`), or a function documented as init-time
 * ("should only be called on package initialization") is called from other packages' init.
 * Only exported ones, and unexported helpers only they call: the model sees every other caller
 * of an unexported function and judges them.
 */
function conventionalRegistration(pkg: Package, fn: SyntaxNode, depth = 0): boolean {
  const name = functionName(fn) ?? '';
  // An unexported helper that only registration functions call (`RegisterService` → `register`).
  if (!/^[A-Z]/.test(name) && depth === 0) {
    const sites = callersOf(pkg, fn).sites.filter((s) => !s.file.isTest);
    return sites.length > 0 && sites.every((s) => {
      const caller = declaredFunctionOf(s.call);
      return caller !== null && conventionalRegistration(pkg, caller, 1);
    });
  }
  if (!/^[A-Z]/.test(name) || pkg.name === 'main') return false;
  if (/^(Must)?Register/.test(name) || INIT_DOC.test(docComment(fn))) return true;
  return /^Handle(Func)?$/.test(name) && takesHandler(pkg, fn);
}

const INIT_DOC = /\b(during|on|at) (package )?init(ialization)?\b|\bfrom init\b|\bat startup\b/i;

function declaredFunctionOf(node: SyntaxNode): SyntaxNode | null {
  let fn = enclosingFunction(node);
  while (fn?.type === 'func_literal') fn = enclosingFunction(fn);
  return fn;
}

/** `Handle(pattern string, h Handler)` registers; `Handle(id int)` or `Handle(w, r)` serves. */
function takesHandler(pkg: Package, fn: SyntaxNode): boolean {
  const file = fileOfNode(pkg, fn);
  const types = (fn.childForFieldName('parameters')?.namedChildren ?? []).map((p) => p.childForFieldName('type'));
  if (types.some((t) => isNamed(typeFromSyntax(pkg, file, t), 'net/http', 'ResponseWriter'))) return false;
  return types.some((t) => typeFromSyntax(pkg, file, t).kind === 'func' || /Handler(Func)?$/.test(t?.text ?? ''));
}

// ---- Values built per call ----

/**
 * Whether every value of a struct type the package builds (`&T{...}`, `T{...}`, `new(T)`)
 * stays within one call: it lands in a local that is neither returned, stored (but in a local
 * literal) nor running a method as a goroutine, directly or through a constructor function
 * whose calls all do the same. Such a
 * value (a per-pull job list, a per-request scratch struct) dies with its call, even when it
 * has a mutex. False when the package never builds one.
 */
function builtPerCall(type: string, pkg: Package, facts: PackageFacts): boolean {
  let perCall = facts.perCall.get(type);
  if (perCall === undefined) {
    const sites = constructionSites(type, pkg);
    perCall = sites.length > 0 && sites.every((site) => staysInCall(site, pkg, 1));
    facts.perCall.set(type, perCall);
  }
  return perCall;
}

/** The composite literals and `new` calls that build a value of the type, outside tests. */
function constructionSites(type: string, pkg: Package): SyntaxNode[] {
  const sites: SyntaxNode[] = [];
  const pattern = new RegExp(`(?<![\\w.])${type}\\{|\\bnew\\(${type}\\)`, 'g');
  for (const file of pkg.files) {
    if (file.isTest) continue;
    for (const match of file.source.matchAll(pattern)) {
      const at = file.tree.rootNode.descendantForIndex(match.index! + (match[0].startsWith('new') ? 4 : 0));
      const site = at.parent?.type === 'composite_literal' ? at.parent : at.parent?.parent;
      if (site?.type === 'composite_literal' || site?.type === 'call_expression') sites.push(site);
    }
  }
  return sites;
}

/** Whether the value of `expr` stays in the function that makes it (or, `depth` levels up, in its callers). */
function staysInCall(expr: SyntaxNode, pkg: Package, depth: number): boolean {
  let e = expr;
  while (e.parent && (e.parent.type === 'parenthesized_expression' || (e.parent.type === 'unary_expression' && e.parent.child(0)?.type === '&'))) {
    e = e.parent;
  }
  const fn = enclosingFunction(e);
  if (!fn) return false; // a package-level value lives for the process
  const escape = escapeOf(e);
  if (escape === 'returned') {
    const name = functionName(fn);
    if (depth === 0 || fn.type !== 'function_declaration' || !name) return false;
    const calls = pkg.files
      .filter((f) => !f.isTest && f.source.includes(name))
      .flatMap((f) => identifierUses(f.tree.rootNode, name))
      .filter((id) => id.parent?.type === 'call_expression' && id.parent.childForFieldName('function')?.id === id.id);
    return calls.length > 0 && calls.every((id) => staysInCall(id.parent!, pkg, depth - 1));
  }
  const target = escape === 'aliased' ? assignmentTarget(e) : null;
  if (target?.type !== 'identifier' || target.parent?.parent?.type !== 'short_var_declaration') return false;
  return identifierUses(fn, target.text).every((use) => {
    const leaves = escapeOf(use);
    if (leaves === 'stored') return storedInLocalLiteral(use);
    return leaves !== 'returned' && leaves !== 'sent' && !runsMethodAsGoroutine(use);
  });
}

/** `cfg := Config{Store: x}` or `f(Config{Store: x})`: kept in a literal that itself stays local. */
function storedInLocalLiteral(use: SyntaxNode): boolean {
  let lit: SyntaxNode | null = use.parent;
  while (lit && lit.type !== 'composite_literal' && lit.type !== 'assignment_statement') lit = lit.parent;
  if (lit?.type !== 'composite_literal') return false;
  const outer = lit.parent?.type === 'unary_expression' ? lit.parent : lit;
  const escape = escapeOf(outer);
  const target = escape === 'aliased' ? assignmentTarget(outer) : null;
  return escape === 'passed' || target?.parent?.parent?.type === 'short_var_declaration';
}

/** `go x.loop()`: the value runs a goroutine of its own and lives as long as it does. */
function runsMethodAsGoroutine(use: SyntaxNode): boolean {
  const call = use.parent?.type === 'selector_expression' ? use.parent.parent : null;
  return call?.type === 'call_expression' && call.parent?.type === 'go_statement';
}

// ---- Wording shared by the rules ----

/** `package var userCache` or `field Server.sessions`. */
export function containerLabel(c: Container): string {
  return c.holder === null ? `package var ${c.name}` : `field ${c.holder}.${c.name}`;
}

/**
 * `handler.go:42`, `handler.go:42, store.go:10`, `a.go:1, 5 and 3 more`: two sites at most (the
 * related locations give all), a second in the same file by its line.
 */
export function siteList(sites: Site[]): string {
  const base = (s: Site) => s.file.path.split('/').pop()!;
  const shown = sites.slice(0, 2).map((s, i) => `${i > 0 && s.file === sites[0].file ? '' : `${base(s)}:`}${s.node.startPosition.row + 1}`);
  return sites.length > 2 ? `${shown.join(', ')} and ${sites.length - 2} more` : shown.join(', ');
}

/** The insert whose frequency a message gives: one per iteration of a loop if any, else the first. */
export function growthSource(inserts: Insert[]): Insert {
  return inserts.find((i) => i.how.kind === 'per-iteration') ?? inserts[0];
}

/** How often the inserts grow the container, the most frequent first: "per call of (*Server).Login". */
export function growthReason(inserts: Insert[]): string {
  const reason = withoutNote(growthSource(inserts).how.reason);
  // "per call of F", "in the loop at line 9 of F", "per iteration of the loop ...", "once per value ..."; "F is only called in ..." reads after "as".
  return /^(per|in|once|behind) /.test(reason) ? reason : `as ${reason}`;
}
