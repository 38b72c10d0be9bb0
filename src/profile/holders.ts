import path from 'node:path';
import type { GoFile, Package } from '../engine/types.js';
import { containersForEvidence, growthOf, type Judged } from '../go/containers.js';
import { finiteDomain, isFiniteType } from '../go/model/domain.js';
import { objectOf, packageObjects } from '../go/model/names.js';
import { deref, fieldOfSelector, fileOfNode, typeFromSyntax, typeIndex, typeOfObject, underlying, type FieldInfo, type GoType } from '../go/model/types.js';
import { flowOf, writesOf } from '../go/model/values.js';
import { nodesOfType } from '../go/nodes.js';
import { unparen } from '../go/syntax.js';
import type { SyntaxNode } from '../go/tree.js';
import { ASSUMED_GO, type ModuleResolver } from '../gomod.js';
import { loadDirectory, MAX_FILE_BYTES, toSlash } from '../load.js';
import type { Warning } from '../warnings.js';

/*
 * Who keeps the memory a heap sample allocated: the heap profile says where a value was
 * allocated, the package model's value flow says where it goes from there (results,
 * parameters, locals, fields, across the package's functions and methods) and which
 * container or field it ends in. The ranker charges the sample's bytes to that holder.
 */

/** What the model says about a holder's size. */
export type Verdict =
  /** It only grows: the insert sites (`file:line`). */
  | { kind: 'grows'; inserts: string[] }
  /** A proof that it is bounded: why. */
  | { kind: 'bounded'; why: string }
  /** It grows, the model says, only where code runs once (start-up, once per value, registration). */
  | { kind: 'once' }
  /** A field or variable that keeps the value itself, or a container nothing fills that the model sees. */
  | { kind: 'keeps' };

/** A container, struct field or package variable that keeps values allocated elsewhere. */
export interface Holder {
  /** `Cache.data`, `sessions`. */
  name: string;
  /** `map`, `sync.Map`, `slice`; `value` for a field or variable that holds one value itself. */
  kind: 'map' | 'sync.Map' | 'slice' | 'value';
  /** `field Cache.data`, `package var sessions`. */
  label: string;
  /** Its declaration: file relative to the run's root, 1-based line and column, the line's text from there. */
  file: string;
  line: number;
  column: number;
  text: string;
  /** Where values are stored into it (`file:line`), when the model shows it. */
  stored: string | null;
  verdict: Verdict;
  /** The heuristic that had judged it short-lived or harmless, if one had: the profile overrules it. */
  judgement: string | null;
}

/** How far the model is followed from a holder to what holds it (a field → the container of its struct). */
const MAX_DEPTH = 3;

const ALLOCATING = ['call_expression', 'composite_literal', 'func_literal', 'binary_expression'];
/** Calls that allocate on their own line: builtins and conversions (`string(b)`). */
const BUILTIN_ALLOCATIONS = new Set(['make', 'new', 'append', 'string']);

/** The holders of the tree's values, with the packages it loads for them (each once). */
export class Holders {
  private readonly dirOfFile = new Map<string, { dir: string; files: string[] }>();
  private readonly packages = new Map<string, Package[]>();
  private readonly containers = new WeakMap<Package, Judged[]>();
  private readonly memo = new Map<string, Holder[]>();
  /** Sites whose values the model failed on, as warnings for the report. */
  readonly problems: Warning[] = [];

  /** `directories` as discover() found them (absolute paths); files are named relative to `cwd`. */
  constructor(
    private readonly cwd: string,
    directories: { dir: string; files: string[] }[],
    private readonly modules: ModuleResolver,
  ) {
    for (const d of directories) for (const f of d.files) this.dirOfFile.set(toSlash(path.relative(cwd, f)), d);
  }

  /**
   * The holders of what the code at `site` (`file:line`) allocates, directly or (when
   * `callee`, the profile's next frame toward the leaf, is set) through the call of `callee`
   * on that line: the outermost containers and fields the value flows into.
   */
  heldAt(site: string, callee: string | null): Holder[] {
    const key = `${site}|${callee ?? ''}`;
    let held = this.memo.get(key);
    if (!held) {
      try {
        held = this.find(site, callee);
      } catch (err) {
        // A model bug costs this site its holder (its hot spot stays unexplained), not the run.
        const colon = site.lastIndexOf(':');
        this.problems.push({ file: site.slice(0, colon), line: Number(site.slice(colon + 1)), message: `profile: cannot follow what is allocated here: ${(err as Error).message}` });
        held = [];
      }
      this.memo.set(key, held);
    }
    return held;
  }

  private find(site: string, callee: string | null): Holder[] {
    const colon = site.lastIndexOf(':');
    const fileName = site.slice(0, colon);
    const pkg = this.packageOf(fileName);
    const file = pkg?.files.find((f) => f.path === fileName);
    if (!pkg || !file) return [];
    const found = new Map<string, Holder>();
    for (const expr of allocationsAt(file, Number(site.slice(colon + 1)), callee)) {
      for (const h of this.holdersOf(pkg, file, expr, 0)) if (!found.has(`${h.file}:${h.line}:${h.name}`)) found.set(`${h.file}:${h.line}:${h.name}`, h);
    }
    return [...found.values()];
  }

  private packageOf(file: string): Package | null {
    const d = this.dirOfFile.get(file);
    if (!d) return null;
    let pkgs = this.packages.get(d.dir);
    if (!pkgs) {
      const facts = this.modules.lookup(d.dir)?.facts ?? { modulePath: null, goVersion: ASSUMED_GO, godebug: {} };
      const options = { generated: true, build: { tags: new Set<string>(), goMinor: facts.goVersion.minor }, named: new Set<string>(), maxFileBytes: MAX_FILE_BYTES };
      pkgs = loadDirectory(d.dir, d.files, this.cwd, facts, options).packages;
      this.packages.set(d.dir, pkgs);
    }
    return pkgs.find((p) => p.files.some((f) => f.path === file)) ?? null;
  }

  private judged(pkg: Package): Judged[] {
    let list = this.containers.get(pkg);
    if (!list) this.containers.set(pkg, (list = containersForEvidence(pkg)));
    return list;
  }

  /** Where the value of `expr` ends up: containers, or the fields and variables that keep it. */
  private holdersOf(pkg: Package, file: GoFile, expr: SyntaxNode, depth: number): Holder[] {
    const out: Holder[] = [];
    for (const h of flowOf(pkg, file, expr).holders) {
      if (h.kind === 'element') {
        const c = this.containerOf(pkg, fileOfNode(pkg, h.container), h.container, 0);
        if (c) out.push(this.describe(pkg, c, `${fileOfNode(pkg, h.container).path}:${h.container.startPosition.row + 1}`));
      } else if (h.kind === 'field') {
        // The value itself is the field's (a slice-typed field given a slice is no element of it).
        out.push(...this.fieldHolders(pkg, h.field, depth));
      } else if (h.kind === 'object' && h.obj.kind === 'var' && !h.obj.fn && h.obj.decl && h.obj.file) {
        out.push(valueHolder(h.obj.name, `package var ${h.obj.name}`, h.obj.decl, h.obj.file, null));
      }
    }
    return out;
  }

  /**
   * A value kept in field `field`: kept by whatever keeps the field's struct (a container
   * of the struct, a field or variable of its type), else by the field itself.
   */
  private fieldHolders(pkg: Package, field: FieldInfo, depth: number): Holder[] {
    const owner = field.owner.name;
    const outer: Holder[] = [];
    if (depth < MAX_DEPTH) {
      for (const j of this.judged(pkg)) {
        if (elementTypeName(pkg, j) === owner) outer.push(this.describe(pkg, j, null));
      }
      for (const decl of typeIndex(pkg).decls.values()) {
        if (decl.file.isTest || decl.name === owner) continue;
        for (const f of decl.fields) {
          if (!f.embedded && namedIn(deref(typeFromSyntax(pkg, decl.file, f.typeNode))) === owner) outer.push(...this.fieldHolders(pkg, f, depth + 1));
        }
      }
      for (const obj of packageObjects(pkg).values()) {
        if (obj.kind === 'var' && obj.file && !obj.file.isTest && obj.decl && namedIn(deref(typeOfObject(pkg, obj))) === owner) {
          outer.push(valueHolder(obj.name, `package var ${obj.name}`, obj.decl, obj.file, null));
        }
      }
    }
    if (outer.length) return outer;
    // A map or slice field keeps its own buckets or backing array (`s.items = append(s.items, x)`).
    const own = this.judged(pkg).find((j) => j.container.place.kind === 'field' && j.container.place.field === field);
    if (own) return [this.describe(pkg, own, null)];
    return [valueHolder(`${owner}.${field.name}`, `field ${owner}.${field.name}`, field.decl, field.owner.file, storedInField(pkg, field))];
  }

  /** The container an expression denotes: a package variable, a field, or a local or parameter given one. */
  private containerOf(pkg: Package, file: GoFile, expr: SyntaxNode, depth: number): Judged | null {
    const e = unparen(expr);
    const judged = this.judged(pkg);
    if (e.type === 'index_expression') return this.containerOf(pkg, file, e.childForFieldName('operand')!, depth);
    if (e.type === 'selector_expression') {
      const field = fieldOfSelector(pkg, file, e);
      if (field) return judged.find((j) => j.container.place.kind === 'field' && j.container.place.field === field) ?? null;
      const operand = unparen(e.childForFieldName('operand')!);
      const holder = operand.type === 'identifier' ? objectOf(pkg, file, operand) : null;
      const name = e.childForFieldName('field')?.text;
      return judged.find((j) => j.container.place.kind === 'anonymous' && j.container.place.holder === holder && j.container.place.field === name) ?? null;
    }
    if (e.type !== 'identifier') return null;
    const obj = objectOf(pkg, file, e);
    if (!obj) return null;
    const own = judged.find((j) => j.container.place.kind === 'var' && j.container.place.obj === obj);
    if (own || !obj.fn || depth >= MAX_DEPTH || (obj.kind !== 'var' && obj.kind !== 'param')) return own ?? null;
    // A local or a parameter: the container is what the package stores in it.
    for (const w of writesOf(pkg, { kind: 'object', obj }).values) {
      const c = w.element ? null : this.containerOf(pkg, w.file, w.node, depth + 1);
      if (c) return c;
    }
    return null;
  }

  private describe(pkg: Package, j: Judged, stored: string | null): Holder {
    const c = j.container;
    const name = c.holder === null ? c.name : `${c.holder}.${c.name}`;
    const label = c.holder === null ? `package var ${c.name}` : `field ${name}`;
    const growth = growthOf(pkg, c);
    let verdict: Verdict;
    if (growth.kind === 'limited') verdict = { kind: 'bounded', why: 'the package removes from it, resets it or checks its size' };
    else if (growth.kind === 'grows' && c.keyType && (isFiniteType(pkg, c.keyType) || growth.inserts.every((i) => i.key && finiteDomain(pkg, i.file, i.key, i.node)))) {
      verdict = { kind: 'bounded', why: 'its keys come from a finite set' };
    } else if (growth.kind === 'grows') verdict = { kind: 'grows', inserts: growth.inserts.map((i) => `${i.file.path}:${i.node.startPosition.row + 1}`) };
    else if (growth.kind === 'once') verdict = { kind: 'once' };
    else verdict = { kind: 'keeps' };
    const at = stored ?? (verdict.kind === 'grows' ? verdict.inserts[0] : c.place.kind === 'field' ? storedInField(pkg, c.place.field) : null);
    return { name, kind: c.kind, label, ...declSite(c.decl, c.file), stored: at, verdict, judgement: j.judgement };
  }
}

function valueHolder(name: string, label: string, decl: SyntaxNode, file: GoFile, stored: string | null): Holder {
  return { name, kind: 'value', label, ...declSite(decl, file), stored, verdict: { kind: 'keeps' }, judgement: null };
}

function declSite(decl: SyntaxNode, file: GoFile): { file: string; line: number; column: number; text: string } {
  const row = decl.startPosition.row;
  return { file: file.path, line: row + 1, column: decl.startPosition.column + 1, text: file.source.split('\n')[row]?.trim() ?? '' };
}

/** The first assignment to the field outside a composite literal, as `file:line`. */
function storedInField(pkg: Package, field: FieldInfo): string | null {
  const w = writesOf(pkg, { kind: 'field', field }).values.find((v) => v.node.type !== 'nil' && v.node.parent?.type === 'expression_list');
  return w ? `${w.file.path}:${w.node.startPosition.row + 1}` : null;
}

/** The name of a package type a container keeps values of (`map[K]*Doc` → Doc), or null. */
function elementTypeName(pkg: Package, j: Judged): string | null {
  const c = j.container;
  if (c.kind === 'sync.Map') return null;
  const t: GoType =
    c.place.kind === 'var'
      ? typeOfObject(pkg, c.place.obj)
      : c.place.kind === 'field'
        ? typeFromSyntax(pkg, c.file, c.place.field.typeNode)
        : typeFromSyntax(pkg, c.file, c.decl.childForFieldName('type'));
  const u = underlying(pkg, t);
  const elem = u.kind === 'map' ? u.value : u.kind === 'slice' ? u.elem : null;
  return elem ? namedIn(deref(elem)) : null;
}

function namedIn(t: GoType): string | null {
  return t.kind === 'named' && t.pkg === null ? t.name : null;
}

/**
 * The expressions on a line that allocate what a sample there holds: the calls of `callee`
 * when the sample's stack goes on into it; else, where the line itself allocates, the
 * outermost allocating expressions that start on it (`make`, `new`, `append`, a conversion,
 * a composite literal, a closure, a concatenation): a call of a function would have had a
 * frame of its own.
 */
function allocationsAt(file: GoFile, line: number, callee: string | null): SyntaxNode[] {
  const row = line - 1;
  const onLine = ALLOCATING.flatMap((type) => nodesOfType(file, type)).filter((n) => n.startPosition.row === row);
  if (callee) {
    const name = callee.slice(callee.lastIndexOf('.') + 1);
    const calls = onLine.filter((n) => n.type === 'call_expression' && calledName(n) === name);
    if (calls.length) return calls;
  }
  const own = onLine.filter((n) => n.type !== 'call_expression' || BUILTIN_ALLOCATIONS.has(calledName(n) ?? '') || calledName(n) === null);
  const candidates = own.length ? own : onLine;
  return candidates.filter((n) => !candidates.some((o) => o.id !== n.id && o.startIndex <= n.startIndex && o.endIndex >= n.endIndex));
}

/** `load` for `load(id)`, `Set` for `c.Set(id, d)`; null for a conversion (`[]byte(s)`). */
function calledName(call: SyntaxNode): string | null {
  const fn = unparen(call.childForFieldName('function')!);
  if (fn.type === 'identifier') return fn.text;
  if (fn.type === 'selector_expression') return fn.childForFieldName('field')?.text ?? null;
  return null;
}

