import path from 'node:path';
import type { SyntaxNode } from './tree.js';
import type { GoFile, Package } from '../engine/types.js';
import { assignmentTarget, escapeOf } from './escape.js';
import { identifierUses, nodesOfType } from './nodes.js';
import { parameterNames } from './channels.js';
import { onceThatRuns, onlyCalledOncePerProcess, runsOncePerProcess } from './once.js';
import { fileOf, packageVarNames, selectorsOfField } from './package.js';
import { declaringFunction } from './scopes.js';
import { contains, docComment, enclosingDeclaredFunction, enclosingFunction, FUNCTION_TYPES, functionName, isTestCode, unparen } from './syntax.js';
import { declaredTypeName, receiverOf } from './types.js';

/*
 * Long-lived containers that only grow: the analysis shared by unbounded-map-cache and
 * append-only-slice.
 *
 * A container is a package-level variable, or a field of a struct type that lives long (see
 * `longLivedStructs`), holding a map, a sync.Map or a slice; one-shot commands and test
 * support packages have none. Every use of it anywhere in the package (all files, test code
 * left out) is classified by what it does to the container's size (`effectOf`): it inserts
 * (`m[k] = v`, `m[k]++`, `Store`, `s = append(s, ...)`), it removes (`delete`, `clear`,
 * `Delete`), it replaces the whole value outside a constructor (`m = make(...)`,
 * `s = s[:0]`), it bounds it (`len(m)` compared with a limit), or it hands the map to code
 * that may do any of these. A container only grows when some insert runs at request time
 * (`fillsFixedSet` is false: not at init, not in a constructor, not with a constant key or
 * over a fixed list) and no other use limits it. The rules add what is particular to them
 * (a map's finite key types) and word the findings.
 *
 * Cost: one pass over each file's top-level declarations; uses come from the shared
 * identifier and selector indexes (src/go/nodes.ts, src/go/package.ts), looked up only for
 * the package's containers, and the costlier checks run only on containers that get far.
 */

export type ContainerKind = 'map' | 'sync.Map' | 'slice';

/** A package-level variable or a field of a long-lived struct that holds a map or a slice. */
export interface Container {
  kind: ContainerKind;
  name: string;
  /** The struct type that declares the field (the variable, for an anonymous struct); null for a variable. */
  holder: string | null;
  /** Whether `holder` is a package variable of an anonymous struct type. */
  heldByVariable: boolean;
  /** Where it is declared: the var_spec or the field_declaration. */
  decl: SyntaxNode;
  file: GoFile;
  /** A map's declared key type, when the declaration shows it. */
  keyType: SyntaxNode | null;
}

export interface Site {
  node: SyntaxNode;
  file: GoFile;
}

/** What one use of a container does to its size. */
type Effect = 'insert' | 'remove' | 'replace' | 'bound' | 'unknown' | 'none';

/** Facts about a package the analysis reads many times, built once per package. */
interface PackageFacts {
  /** Top-level type name → its type node (`struct_type`, `map_type`, ...). */
  types: Map<string, SyntaxNode>;
  /** Package-level constants, and the types named in their declarations (`const Idle State = iota`). */
  constants: Set<string>;
  constantTypes: Set<string>;
  /** Struct types whose values live long (see `longLivedStructs`). */
  longLived: Set<string>;
  containers: Container[];
  /** `file:function start:name` → whether that function declares `name` locally. */
  shadowed: Map<string, boolean>;
  /** Function kind and name → whether it runs only at init time. */
  initTime: Map<string, boolean>;
  /** Struct type → whether its values are built per call (see `builtPerCall`). */
  perCall: Map<string, boolean>;
}

const factsByPackage = new WeakMap<Package, PackageFacts>();

const MUTEX = /^\*?sync\.(RW)?Mutex$/;
const SYNC_MAP = /^\*?sync\.Map$/;
const SYNC_MAP_INSERTS = new Set(['Store', 'LoadOrStore', 'Swap']);
const SYNC_MAP_REMOVALS = new Set(['Delete', 'LoadAndDelete', 'CompareAndDelete', 'Clear']);
const COMPARISONS = new Set(['<', '<=', '>', '>=']);
/** Functions that build or set up a value: assigning a whole container there initializes it. */
const CONSTRUCTOR = /^(new|init|make|setup|build|create)/i;
/**
 * Registration functions, called at init time by convention: `Register`, `MustRegister`,
 * and `Handle` that registers a handler (`mux.Handle(pattern, h)`), unlike a `Handle`
 * that serves a request (`Handle(w http.ResponseWriter, r *http.Request)`, `Handle(id)`).
 */
const REGISTRATION = /^(must)?register/i;
const HANDLER_REGISTRATION = /^Handle(Func)?$/;
const INIT_DOC = /\b(during|on|at) (package )?init(ialization)?\b|\bfrom init\b|\bat startup\b/i;
/**
 * Struct types whose values live for one request, connection or job, by their name: a
 * request or response, a connection or stream, a reader or writer, an encoder or parser,
 * a checker or builder, a transaction, an iterator, per-call state or results, the options
 * or configuration a value is built from.
 */
const SCOPED_NAME =
  /(request|response|resp|conn|stream|session|reader|writer|encoder|decoder|parser|scanner|lexer|printer|builder|checker|compiler|state|ctx|context|txn|tx|batch|iter|iterator|result|info|package|pkg|file|frame|graph|error|err|test|benchmark|fuzz|common|options|opts|config|cfg|settings)$/i;

/** Whether the package declares constants of a named type: an enum, a finite set of values. */
export function hasConstantsOfType(pkg: Package, type: string): boolean {
  return factsOf(pkg).constantTypes.has(type);
}

/** The type a top-level type declaration of the package gives that name, if any. */
export function declaredType(pkg: Package, name: string): SyntaxNode | null {
  return factsOf(pkg).types.get(name) ?? null;
}

/** The package's long-lived maps, sync.Maps and slices, declared outside test files. */
export function longLivedContainers(pkg: Package): Container[] {
  return factsOf(pkg).containers;
}

/**
 * The insert sites of a container that only grows: inserts that run at request time (not at
 * init, not in tests, not with a constant key or over a fixed list), when no use anywhere in
 * the package removes entries, replaces the whole value, compares its length or hands it to
 * code that might. Empty when the container is limited or never filled at request time.
 */
export function unboundedInserts(pkg: Package, c: Container): Site[] {
  const facts = factsOf(pkg);
  if (!mayBeFilled(pkg, c)) return [];
  const inserts: Site[] = [];
  for (const use of usesOf(pkg, c)) {
    const effect = effectOf(use.node, c, pkg, facts);
    if (effect === 'none' || !counts(use, c, facts)) continue;
    if (effect !== 'insert') return [];
    if (!fillsFixedSet(use.node, c, pkg, facts)) inserts.push(use);
  }
  // Checked last, for the few containers that get this far: the holder may be built per call.
  if (inserts.length > 0 && c.holder !== null && !c.heldByVariable && builtPerCall(c.holder, pkg, facts)) return [];
  return inserts;
}

/**
 * A cheap text test before the uses are looked up: some file holds what an insert looks like
 * in gofmt'd code (`name[`, `name = append(`, `name.Store(`). Most containers are tables
 * that are only read, and for them no index is built.
 */
function mayBeFilled(pkg: Package, c: Container): boolean {
  const name = c.holder === null ? c.name : `.${c.name}`;
  const shapes =
    c.kind === 'map' ? [`${name}[`] : c.kind === 'slice' ? [`${name} = append(`] : [...SYNC_MAP_INSERTS].map((m) => `${name}.${m}(`);
  return pkg.files.some((f) => shapes.some((shape) => f.source.includes(shape)));
}

/** Whether a use is of the container in production code: not in a test, not of a local that shadows the variable. */
function counts(use: Site, c: Container, facts: PackageFacts): boolean {
  if (isTestCode(use.node, use.file.isTest)) return false;
  return c.holder === null ? !shadows(use.node, use.file, facts) : mayBeFieldOf(use.node, c);
}

/**
 * Whether `x.field` may select the container's field, not a namesake on another type: `x` is
 * the holding variable, or a receiver, parameter or local not declared as another type.
 */
function mayBeFieldOf(sel: SyntaxNode, c: Container): boolean {
  const operand = unparen(sel.childForFieldName('operand') ?? sel);
  if (c.heldByVariable) return operand.text === c.holder;
  const fn = enclosingFunction(sel);
  const type = operand.type === 'identifier' && fn ? declaredTypeName(operand, fn) : null;
  return type === null || type === c.holder;
}

/** Imports that show a package serves or calls over the network: code that may run for long. */
const SERVING = new Set(['net', 'net/http', 'google.golang.org/grpc']);

/**
 * Test support code lives for a test run: directories such as `testutil`, `rafttest`,
 * `integration`, `mocks`, `mocktracer`, `fakes`, and files such as `handler_mock.go`.
 */
const TEST_SUPPORT_DIR = /(^|\/)(\w*test\w*|mocks?\w*|fakes?|integration|functional)(\/|$)/i;
const TEST_SUPPORT_FILE = /(^|[_-])(mocks?|fakes?)([_-][\w-]*)?\.go$/i;

/**
 * A command that serves nothing (package main, or a package under a cmd/ directory, that
 * imports no network package), or test support code: it runs one job and exits, so its
 * tables die with it.
 */
function isOneShotCommand(pkg: Package): boolean {
  // The package's directory as the run names it: where the checkout lives says nothing.
  if (pkg.files.length && TEST_SUPPORT_DIR.test(path.dirname(pkg.files[0].path))) return true;
  if (pkg.name !== 'main' && !/(^|\/)cmd(\/|$)/.test(pkg.dir)) return false;
  return !pkg.files.some((f) => [...f.imports.byName.values()].some((path) => SERVING.has(path)));
}

function factsOf(pkg: Package): PackageFacts {
  let facts = factsByPackage.get(pkg);
  if (facts) return facts;
  facts = {
    types: new Map(),
    constants: new Set(),
    constantTypes: new Set(),
    longLived: new Set(),
    containers: [],
    shadowed: new Map(),
    initTime: new Map(),
    perCall: new Map(),
  };
  factsByPackage.set(pkg, facts);
  if (isOneShotCommand(pkg)) return facts;
  const top = readTopLevel(pkg, facts);
  facts.longLived = longLivedStructs(top);
  facts.containers = top.vars.flatMap((v) => varContainers(v.spec, v.file, facts!));
  for (const [holder, { type, file }] of top.structs) {
    if (facts.longLived.has(holder)) facts.containers.push(...fieldContainers(type, holder, file, facts));
  }
  facts.containers = facts.containers.filter((c) => !TEST_SUPPORT_FILE.test(path.basename(c.file.path)));
  return facts;
}

/** What the package declares at top level, from one pass over each file's declarations. */
interface TopLevel {
  vars: { spec: SyntaxNode; file: GoFile }[];
  structs: Map<string, { type: SyntaxNode; file: GoFile }>;
  /** Function name → its declared result type, without `*`. */
  results: Map<string, string>;
  /** Method name → the receiver types that declare it. */
  receivers: Map<string, string[]>;
  goStatements: SyntaxNode[];
}

function readTopLevel(pkg: Package, facts: PackageFacts): TopLevel {
  const top: TopLevel = { vars: [], structs: new Map(), results: new Map(), receivers: new Map(), goStatements: [] };
  for (const file of pkg.files) {
    // Only `go x.method(...)` statements matter here: skip the walk where there is none.
    if (/\bgo\s+[\w.]+\(/.test(file.source)) top.goStatements.push(...nodesOfType(file, 'go_statement'));
    for (const decl of file.tree.rootNode.namedChildren) {
      const specs = decl.namedChildren;
      if (decl.type === 'type_declaration') {
        for (const spec of specs) readTypeSpec(spec, file, facts, top);
      } else if (decl.type === 'const_declaration') {
        for (const spec of specs.filter((sp) => sp.type === 'const_spec')) {
          for (const name of spec.childrenForFieldName('name')) facts.constants.add(name.text);
          const type = spec.childForFieldName('type')?.text;
          if (type) facts.constantTypes.add(type);
        }
      } else if (decl.type === 'var_declaration' && !file.isTest) {
        for (const spec of decl.descendantsOfType('var_spec')) top.vars.push({ spec, file });
      } else if (decl.type === 'function_declaration') {
        const result = decl.childForFieldName('result');
        const name = decl.childForFieldName('name')?.text;
        const type = result?.type === 'pointer_type' ? result.namedChildren[0] : result;
        if (name && type?.type === 'type_identifier') top.results.set(name, type.text);
      } else if (decl.type === 'method_declaration') {
        const name = decl.childForFieldName('name')?.text;
        const receiver = receiverOf(decl);
        if (name && receiver) top.receivers.set(name, [...(top.receivers.get(name) ?? []), receiver.type]);
      }
    }
  }
  return top;
}

function readTypeSpec(spec: SyntaxNode, file: GoFile, facts: PackageFacts, top: TopLevel): void {
  const name = spec.childForFieldName('name')?.text;
  const type = spec.childForFieldName('type');
  if (spec.type !== 'type_spec' || !name || !type) return;
  facts.types.set(name, type);
  if (type.type === 'struct_type' && !file.isTest) top.structs.set(name, { type, file });
}

// ---- Which containers there are ----

function varContainers(spec: SyntaxNode, file: GoFile, facts: PackageFacts): Container[] {
  const found: Container[] = [];
  const type = spec.childForFieldName('type');
  const values = spec.childForFieldName('value')?.namedChildren ?? [];
  spec.childrenForFieldName('name').forEach((name, i) => {
    const shape = type ? shapeOfType(type, facts) : values[i] ? shapeOfValue(values[i], facts) : null;
    if (shape && name.text !== '_') found.push({ ...shape, name: name.text, holder: null, heldByVariable: false, decl: spec, file });
    // Fields of an anonymous struct held by a package variable live as long as it does.
    if (type?.type === 'struct_type') found.push(...fieldContainers(type, name.text, file, facts, true));
  });
  return found;
}

function fieldContainers(struct: SyntaxNode, holder: string, file: GoFile, facts: PackageFacts, heldByVariable = false): Container[] {
  const found: Container[] = [];
  for (const field of fieldsOf(struct)) {
    const shape = shapeOfType(field.childForFieldName('type'), facts);
    if (!shape) continue;
    for (const name of field.childrenForFieldName('name')) {
      found.push({ ...shape, name: name.text, holder, heldByVariable, decl: field, file });
    }
  }
  return found;
}

function fieldsOf(struct: SyntaxNode): SyntaxNode[] {
  return struct.namedChildren.find((c) => c.type === 'field_declaration_list')?.namedChildren.filter((c) => c.type === 'field_declaration') ?? [];
}

type Shape = { kind: ContainerKind; keyType: SyntaxNode | null };

/** Whether a declared type is a map, a sync.Map or a slice, looking through the package's named types. */
function shapeOfType(type: SyntaxNode | null, facts: PackageFacts, depth = 0): Shape | null {
  if (!type || depth > 3) return null;
  if (type.type === 'map_type') return { kind: 'map', keyType: type.childForFieldName('key') };
  if (type.type === 'slice_type') return { kind: 'slice', keyType: null };
  if (SYNC_MAP.test(type.text)) return { kind: 'sync.Map', keyType: null };
  if (type.type === 'type_identifier') return shapeOfType(facts.types.get(type.text) ?? null, facts, depth + 1);
  return null;
}

/** The same for an undeclared variable's value: `make(map[K]V)`, `[]T{}`, `registry{}`, `&sync.Map{}`. */
function shapeOfValue(value: SyntaxNode, facts: PackageFacts): Shape | null {
  let v = unparen(value);
  if (v.type === 'unary_expression' && v.child(0)?.type === '&') v = v.namedChildren[0];
  if (v.type === 'composite_literal') return shapeOfType(v.childForFieldName('type'), facts);
  if (v.type !== 'call_expression') return null;
  const callee = v.childForFieldName('function')?.text;
  const arg = v.childForFieldName('arguments')?.namedChildren[0] ?? null;
  return callee === 'make' || callee === 'new' ? shapeOfType(arg, facts) : null;
}

// ---- Which struct types live long ----

/**
 * Struct types whose values live long: held by a package-level variable, running a method
 * as a goroutine (`go s.loop()`), or shared between goroutines (they hold a mutex or a
 * sync.Map). A struct built per call and dropped has none of these, and its maps die with
 * it; nor do those whose name says their life is scoped to one job (`SCOPED_NAME`), nor
 * the nodes of a tree or list (`isNode`). Structs
 * merely held by a long-lived one are left out: a long-lived node often points back to a
 * scoped one (a type to the checker that made it).
 */
function longLivedStructs(top: TopLevel): Set<string> {
  const live = new Set<string>();
  for (const { spec } of top.vars) {
    const type = spec.childForFieldName('type');
    if (type) live.add(type.text.replace(/^\*/, ''));
    // A plain struct value (`var empty = Interface{...}`) is a sentinel, not a service.
    for (const value of (spec.childForFieldName('value')?.namedChildren ?? []).filter((v) => v.type !== 'composite_literal')) {
      const built = typeBuiltBy(value, top);
      if (built) live.add(built);
    }
  }
  for (const stmt of top.goStatements) {
    const callee = stmt.namedChildren[0]?.childForFieldName('function');
    const method = callee?.type === 'selector_expression' ? callee.childForFieldName('field')?.text : undefined;
    for (const receiver of (method && top.receivers.get(method)) || []) live.add(receiver);
  }
  for (const [name, { type }] of top.structs) {
    if (fieldsOf(type).some((f) => MUTEX.test(fieldType(f)) || SYNC_MAP.test(fieldType(f)))) live.add(name);
  }
  for (const name of live) if (SCOPED_NAME.test(name) || isNode(name, top)) live.delete(name);
  return live;
}

/**
 * A struct that points to its own type (`parent *node`, `children []*node`) is a node of a
 * tree or a list: there are many, each living as long as its part of the structure.
 */
function isNode(name: string, top: TopLevel): boolean {
  const struct = top.structs.get(name)?.type;
  return !!struct && fieldsOf(struct).some((f) => fieldType(f).replace(/^(\[\]|\*)+/, '') === name);
}

function fieldType(field: SyntaxNode): string {
  return field.childForFieldName('type')?.text ?? '';
}

/** `T` of `&T{}`, `T{}`, `new(T)`, `NewT()` (a package function declared to return T or *T). */
function typeBuiltBy(value: SyntaxNode, top: TopLevel): string | null {
  let v = unparen(value);
  if (v.type === 'unary_expression' && v.child(0)?.type === '&') v = v.namedChildren[0];
  if (v.type === 'composite_literal') return v.childForFieldName('type')?.text ?? null;
  if (v.type !== 'call_expression') return null;
  const callee = v.childForFieldName('function');
  if (callee?.text === 'new') return v.childForFieldName('arguments')?.namedChildren[0]?.text ?? null;
  return callee?.type === 'identifier' ? (top.results.get(callee.text) ?? null) : null;
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

// ---- Uses and what they do ----

/** The container's uses: `name` for a variable, `x.name` for a field. */
function usesOf(pkg: Package, c: Container): Site[] {
  if (c.holder === null) {
    // The text test spares building a file's identifier index where the name cannot occur.
    return pkg.files.flatMap((file) =>
      (file.source.includes(c.name) ? identifierUses(file.tree.rootNode, c.name) : [])
        .filter((id) => id.parent?.type !== 'var_spec')
        .map((node) => ({ node, file })),
    );
  }
  return selectorsOfField(pkg, c.name)
    .map((node) => ({ node, file: fileOf(pkg, node) }))
    .filter((use) => !isImportedName(use.node.childForFieldName('operand'), use.file));
}

function isImportedName(operand: SyntaxNode | null, file: GoFile): boolean {
  return operand?.type === 'identifier' && file.imports.byName.has(operand.text);
}

/** Whether a function around `id` declares a local of the same name as the package variable. */
function shadows(id: SyntaxNode, file: GoFile, facts: PackageFacts): boolean {
  const fn = enclosingFunction(id);
  if (!fn) return false;
  const key = `${file.path}:${fn.startIndex}:${id.text}`;
  let local = facts.shadowed.get(key);
  if (local === undefined) facts.shadowed.set(key, (local = declaringFunction(id.text, id) !== null));
  return local;
}

function effectOf(use: SyntaxNode, c: Container, pkg: Package, facts: PackageFacts): Effect {
  const parent = use.parent;
  if (!parent) return 'none';
  if (parent.type === 'index_expression' && parent.childForFieldName('operand')?.id === use.id) {
    return c.kind === 'map' && isWritten(parent) ? 'insert' : 'none';
  }
  if (parent.type === 'selector_expression' && parent.childForFieldName('operand')?.id === use.id) {
    const method = parent.childForFieldName('field')?.text ?? '';
    if (c.kind !== 'sync.Map') return 'none';
    return SYNC_MAP_INSERTS.has(method) ? 'insert' : SYNC_MAP_REMOVALS.has(method) ? 'remove' : 'none';
  }
  if (isWholeAssignment(use)) return assignmentEffect(use, c, pkg, facts);
  if (parent.type === 'argument_list') return argumentEffect(use, fileOf(pkg, use), c);
  if (parent.type === 'unary_expression' && parent.child(0)?.type === '&') return 'unknown';
  // A map shared with another variable or field may lose entries there; a copied slice
  // header cannot shorten the original.
  const escape = escapeOf(use);
  if (c.kind !== 'slice' && (escape === 'aliased' || escape === 'stored')) return 'unknown';
  return 'none';
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

/** `s = append(s, ...)` inserts; any other whole assignment replaces the value, unless it initializes it. */
function assignmentEffect(use: SyntaxNode, c: Container, pkg: Package, facts: PackageFacts): Effect {
  const list = use.parent!;
  const right = list.parent!.childForFieldName('right')?.namedChildren[list.namedChildren.findIndex((n) => n.id === use.id)];
  if (c.kind === 'slice' && right && isAppendTo(right, use)) return 'insert';
  return initializes(use, c, pkg, facts) ? 'none' : 'replace';
}

function isAppendTo(value: SyntaxNode, target: SyntaxNode): boolean {
  const v = unparen(value);
  if (v.type !== 'call_expression' || v.childForFieldName('function')?.text !== 'append') return false;
  return v.childForFieldName('arguments')?.namedChildren[0]?.text === target.text;
}

/**
 * Whether a whole assignment sets the container up rather than resetting it: at init time,
 * under `if x == nil`, in a constructor, or on a value the function builds (not its receiver
 * or a parameter).
 */
function initializes(use: SyntaxNode, c: Container, pkg: Package, facts: PackageFacts): boolean {
  const fn = enclosingDeclaredFunction(use);
  if (!fn || runsAtInitTime(fn, pkg, facts) || isConstructor(fn)) return true;
  if (guardedByNilCheck(use)) return true;
  return c.holder !== null && onValueBuiltHere(use, fn);
}

/** Whether `x.field` selects a field of a local `x` the function builds (not its receiver or a parameter). */
function onValueBuiltHere(sel: SyntaxNode, fn: SyntaxNode): boolean {
  const operand = unparen(sel.childForFieldName('operand') ?? sel);
  if (operand.type !== 'identifier' || isReceiverOrParameter(operand.text, fn)) return false;
  const declaredIn = declaringFunction(operand.text, operand);
  return declaredIn !== null && contains(fn, declaredIn);
}

/**
 * `NewCache()`, `makeIndex()`, or a method that sets its receiver up (`(*T).init`). A method
 * such as `(*Sink).createInterval` works on a value that already exists: not a constructor.
 */
function isConstructor(fn: SyntaxNode): boolean {
  const name = functionName(fn) ?? '';
  return fn.type === 'method_declaration' ? /^(init|setup)/i.test(name) : CONSTRUCTOR.test(name);
}

function guardedByNilCheck(use: SyntaxNode): boolean {
  for (let n = use.parent; n && !FUNCTION_TYPES.has(n.type); n = n.parent) {
    const cond = n.type === 'if_statement' ? n.childForFieldName('condition')?.text.replace(/\s+/g, '') : undefined;
    if (cond?.includes(`${use.text}==nil`)) return true;
  }
  return false;
}

function isReceiverOrParameter(name: string, fn: SyntaxNode): boolean {
  return receiverOf(fn)?.name === name || parameterNames(fn).includes(name);
}

/**
 * `delete(m, k)`, `clear(m)`, `maps.DeleteFunc(m, ...)` remove; `len(m) > max` bounds;
 * a map passed to the package's own code may be pruned there; other calls only read.
 */
function argumentEffect(use: SyntaxNode, file: GoFile, c: Container): Effect {
  const call = use.parent!.parent!;
  const callee = call.childForFieldName('function');
  const first = call.childForFieldName('arguments')?.namedChildren[0]?.id === use.id;
  const name = callee?.text ?? '';
  if (first && (name === 'delete' || name === 'clear' || /^maps\.(DeleteFunc|Clear)$/.test(name))) return 'remove';
  if (name === 'len' || name === 'cap') return isCompared(call) ? 'bound' : 'none';
  if (c.kind === 'slice' || name === 'append') return 'none';
  // A call on an imported package (`json.Marshal(m)`) reads it; the package's own code may prune it.
  const operand = callee?.type === 'selector_expression' ? callee.childForFieldName('operand') : null;
  return isImportedName(operand, file) ? 'none' : 'unknown';
}

/** `len(m) > max`, `len(s) == cap(s)`: a limit, not an emptiness test (`len(m) == 0`). */
function isCompared(lenCall: SyntaxNode): boolean {
  const cmp = unparen(lenCall).parent;
  if (cmp?.type !== 'binary_expression') return false;
  const op = cmp.childForFieldName('operator')?.type ?? '';
  if (COMPARISONS.has(op)) return true;
  const other = [cmp.childForFieldName('left'), cmp.childForFieldName('right')].find((n) => n && n.id !== lenCall.id);
  return (op === '==' || op === '!=') && !!other && !/^[01]$/.test(other.text);
}

// ---- Inserts that do not grow at request time ----

/**
 * Whether an insert fills a fixed set rather than growing at request time: it runs at init
 * (in an init function or method, a Register function, under a sync.Once), it fills a value
 * the function is building (a constructor), its key is a constant, or it runs in a loop
 * over a fixed list (a literal or a package variable).
 */
function fillsFixedSet(use: SyntaxNode, c: Container, pkg: Package, facts: PackageFacts): boolean {
  const fn = enclosingDeclaredFunction(use);
  if (!fn || /^init/i.test(functionName(fn) ?? '')) return true;
  if (c.holder !== null && !c.heldByVariable && onValueBuiltHere(use, fn)) return true;
  const key = insertedKey(use, c);
  if (key && isConstant(key, facts, fileOf(pkg, use))) return true;
  if (inLoopOverFixedList(use, pkg) || runsAtInitTime(fn, pkg, facts)) return true;
  // A sync.Once that runs the insert (`once.Do(func() {...})`, `once.Do(load)`) builds the table lazily.
  return c.holder === null && onceThatRuns(use, fn, pkg) !== null;
}


/** Code run once per process: init, main, functions only they call, Register functions. */
function runsAtInitTime(fn: SyntaxNode, pkg: Package, facts: PackageFacts): boolean {
  const name = functionName(fn) ?? '';
  const key = `${fn.type}:${name}`;
  let once = facts.initTime.get(key);
  if (once === undefined) {
    once =
      runsOncePerProcess(fn, pkg.name) ||
      REGISTRATION.test(name) ||
      (HANDLER_REGISTRATION.test(name) && takesHandler(fn)) ||
      documentedForInit(fn) ||
      onlyCalledOncePerProcess(fn, pkg);
    facts.initTime.set(key, once);
  }
  return once;
}

/** `Handle(pattern string, h Handler)` registers; `Handle(id int)` or `Handle(w, r)` serves. */
function takesHandler(fn: SyntaxNode): boolean {
  const types = (fn.childForFieldName('parameters')?.namedChildren ?? []).map((p) => p.childForFieldName('type')?.text ?? '');
  return !types.includes('http.ResponseWriter') && types.some((t) => /Handler(Func)?$|^func\s*\(/.test(t));
}

/** A doc comment that says the function is for init time: "should only be called on package initialization". */
function documentedForInit(fn: SyntaxNode): boolean {
  return INIT_DOC.test(docComment(fn));
}

/** The key of `m[k] = v` or of `m.Store(k, v)`, given the insert site's container expression. */
export function insertedKey(use: SyntaxNode, c: Container): SyntaxNode | null {
  const parent = use.parent!;
  if (c.kind === 'map') return parent.childForFieldName('index');
  if (c.kind === 'sync.Map') return parent.parent?.childForFieldName('arguments')?.namedChildren[0] ?? null;
  return null;
}

/** A literal, a constant of the package, or an exported name of an imported package (`http.MethodGet`). */
function isConstant(key: SyntaxNode, facts: PackageFacts, file: GoFile): boolean {
  const k = unparen(key);
  if (/_literal$/.test(k.type) && k.type !== 'func_literal' && k.type !== 'composite_literal') return true;
  if (k.type === 'identifier') return facts.constants.has(k.text) || k.text === 'true' || k.text === 'false';
  return k.type === 'selector_expression' && isImportedName(k.childForFieldName('operand'), file);
}

/** `for _, x := range []T{...}` or over a package variable: a fixed list, filled once. */
function inLoopOverFixedList(use: SyntaxNode, pkg: Package): boolean {
  for (let n = use.parent; n && !FUNCTION_TYPES.has(n.type); n = n.parent) {
    if (n.type !== 'for_statement') continue;
    const range = n.namedChildren.find((ch) => ch.type === 'range_clause');
    const over = range?.childForFieldName('right');
    if (!over) continue;
    const list = unparen(over);
    if (list.type === 'composite_literal') return true;
    if (list.type === 'identifier' && packageVarNames(pkg).has(list.text)) return declaringFunction(list.text, list) === null;
  }
  return false;
}

// ---- Wording shared by the rules ----

/** `package var userCache` or `field Server.sessions`. */
export function containerLabel(c: Container): string {
  return c.holder === null ? `package var ${c.name}` : `field ${c.holder}.${c.name}`;
}

/** `handler.go:42`, `handler.go:42, store.go:10`, `a.go:1, a.go:5 and 3 more`. */
export function siteList(sites: Site[]): string {
  const shown = sites.slice(0, 2).map((s) => `${s.file.path.split('/').pop()}:${s.node.startPosition.row + 1}`);
  return sites.length > 2 ? `${shown.join(', ')} and ${sites.length - 2} more` : shown.join(', ');
}
