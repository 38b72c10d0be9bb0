import type { SyntaxNode, Tree } from '../tree.js';
import type { GoFile, Package } from '../../engine/types.js';
import { defaultImportName } from '../imports.js';
import { identifierUses, nodesOfType, nodesWithin, wordsOf } from '../nodes.js';
import { FUNCTION_TYPES } from '../syntax.js';

/**
 * What a name refers to. Locals, parameters, results and receivers are declared in a
 * function; the others at package level (imports in one file, builtins nowhere).
 */
export type ObjectKind = 'var' | 'param' | 'result' | 'receiver' | 'const' | 'func' | 'type' | 'import' | 'builtin';

export interface GoObject {
  kind: ObjectKind;
  name: string;
  /** The identifier that declares it; null for builtins. */
  ident: SyntaxNode | null;
  /**
   * The construct that declares it: var_spec, const_spec, short_var_declaration,
   * range_clause, receive_statement, type_switch_statement, parameter_declaration,
   * function_declaration, type_spec, import_spec; null for builtins.
   */
  decl: SyntaxNode | null;
  /** Its position among the names `decl` binds (`a, b := ...`: b is 1). */
  index: number;
  /** The function (declaration or literal) that declares it; null at package level. */
  fn: SyntaxNode | null;
  /** The file that declares it; null for builtins. */
  file: GoFile | null;
  /** The node whose extent bounds where it can be used; null for package-level objects. */
  scope: SyntaxNode | null;
  /** For an import: the package path. */
  importPath?: string;
}

const BUILTINS = new Set(
  ('append cap clear close complex copy delete imag len make max min new panic print println real recover ' +
    'nil true false iota any bool byte comparable complex64 complex128 error float32 float64 int int8 int16 ' +
    'int32 int64 rune string uint uint8 uint16 uint32 uint64 uintptr').split(' '),
);

/** Names one package declares at its top level, in any file. */
interface PackageScope {
  objects: Map<string, GoObject>;
  imports: Map<GoFile, Map<string, GoObject>>;
  builtins: Map<string, GoObject>;
}

const scopes = new WeakMap<Package, PackageScope>();
/** Per tree: identifier start index → what it resolves to (null: a field key, a blank, unresolvable). */
const resolved = new WeakMap<Tree, Map<number, GoObject | null>>();
/** Per tree: declaring identifier start index → its object, so one declaration is one object. */
const declared = new WeakMap<Tree, Map<number, GoObject>>();

function packageScope(pkg: Package): PackageScope {
  let scope = scopes.get(pkg);
  if (scope) return scope;
  scope = { objects: new Map(), imports: new Map(), builtins: new Map() };
  for (const file of pkg.files) {
    const imports = new Map<string, GoObject>();
    scope.imports.set(file, imports);
    for (const decl of file.tree.rootNode.namedChildren) {
      if (decl.type === 'import_declaration') {
        for (const spec of decl.descendantsOfType('import_spec')) {
          const path = spec.childForFieldName('path')?.text.slice(1, -1) ?? '';
          const alias = spec.childForFieldName('name');
          // Unaliased, the name readImports gave it (a file may import one path twice, once aliased).
          const name = alias?.text ?? defaultImportName(path);
          if (!name || name === '_' || name === '.') continue;
          imports.set(name, { kind: 'import', name, ident: alias, decl: spec, index: 0, fn: null, file, scope: null, importPath: path });
        }
        continue;
      }
      for (const obj of topLevelObjects(decl, file)) if (!scope.objects.has(obj.name)) scope.objects.set(obj.name, obj);
    }
  }
  scopes.set(pkg, scope);
  return scope;
}

function topLevelObjects(decl: SyntaxNode, file: GoFile): GoObject[] {
  if (decl.type === 'function_declaration') {
    const ident = decl.childForFieldName('name');
    return ident ? [objectFor(file, ident, 'func', decl, 0, null, null)] : [];
  }
  const specs =
    decl.type === 'var_declaration'
      ? nodesWithin(file, 'var_spec', decl)
      : decl.type === 'const_declaration'
        ? nodesWithin(file, 'const_spec', decl)
        : decl.type === 'type_declaration'
          ? decl.namedChildren.filter((c) => c.type === 'type_spec' || c.type === 'type_alias')
          : [];
  const kind: ObjectKind = decl.type === 'var_declaration' ? 'var' : decl.type === 'const_declaration' ? 'const' : 'type';
  return specs.flatMap((spec) =>
    spec.childrenForFieldName('name').map((ident, i) => objectFor(file, ident, kind, spec, i, null, null)),
  );
}

function objectFor(
  file: GoFile,
  ident: SyntaxNode,
  kind: ObjectKind,
  decl: SyntaxNode,
  index: number,
  fn: SyntaxNode | null,
  scope: SyntaxNode | null,
): GoObject {
  let byStart = declared.get(file.tree);
  if (!byStart) declared.set(file.tree, (byStart = new Map()));
  let obj = byStart.get(ident.startIndex);
  if (!obj) byStart.set(ident.startIndex, (obj = { kind, name: ident.text, ident, decl, index, fn, file, scope }));
  return obj;
}

/** The objects of the package's top level by name: functions, vars, consts and types. */
export function packageObjects(pkg: Package): ReadonlyMap<string, GoObject> {
  return packageScope(pkg).objects;
}

/**
 * What identifier `id` (of `file`) refers to, by Go's scoping: blocks, if/for/switch/select
 * clause scopes, shadowing, `:=` redeclaration, closures (a captured variable is the same
 * object), package level, imports, builtins. Null for `_`, a struct literal's field key, or
 * a name the package does not declare (a dot import's).
 */
export function objectOf(pkg: Package, file: GoFile, id: SyntaxNode): GoObject | null {
  if (id.type !== 'identifier' || id.text === '_') return null;
  let cache = resolved.get(file.tree);
  if (!cache) resolved.set(file.tree, (cache = new Map()));
  let obj = cache.get(id.startIndex);
  if (obj === undefined) cache.set(id.startIndex, (obj = resolve(pkg, file, id)));
  return obj;
}

/** Every identifier in the package that refers to `obj`, its declaration left out. */
export function usesOf(pkg: Package, obj: GoObject): SyntaxNode[] {
  if (obj.kind === 'builtin') return [];
  let cache = usesByPackage.get(pkg);
  if (!cache) usesByPackage.set(pkg, (cache = new Map()));
  let uses = cache.get(obj);
  if (!uses) cache.set(obj, (uses = findUses(pkg, obj)));
  return uses;
}

/** Answers of usesOf, once per package and object: shared, do not modify. */
const usesByPackage = new WeakMap<Package, Map<GoObject, SyntaxNode[]>>();

function findUses(pkg: Package, obj: GoObject): SyntaxNode[] {
  const files = obj.scope ? [obj.file!] : obj.kind === 'import' ? [obj.file!] : pkg.files;
  const uses: SyntaxNode[] = [];
  for (const file of files) {
    const within = obj.scope ?? file.tree.rootNode;
    for (const id of identifierUses(within, obj.name)) {
      if (id.startIndex !== obj.ident?.startIndex && objectOf(pkg, file, id) === obj) uses.push(id);
    }
  }
  return uses;
}

function resolve(pkg: Package, file: GoFile, id: SyntaxNode): GoObject | null {
  const name = id.text;
  if (isStructKey(id)) return null;
  for (let link = scopesAbove(id); link; link = link.next) {
    const found = declaredAt(link.node, link.child, name, file, id);
    if (found) return found;
  }
  const scope = packageScope(pkg);
  const top = scope.objects.get(name) ?? scope.imports.get(file)?.get(name);
  if (top) return top;
  if (!BUILTINS.has(name)) return null;
  let builtin = scope.builtins.get(name);
  if (!builtin) scope.builtins.set(name, (builtin = { kind: 'builtin', name, ident: null, decl: null, index: 0, fn: null, file: null, scope: null }));
  return builtin;
}

/** The node types declaredAt may find a declaration in. */
const SCOPES = new Set([
  'statement_list', 'if_statement', 'expression_switch_statement', 'type_switch_statement', 'for_statement',
  'communication_case', 'function_declaration', 'method_declaration', 'func_literal',
]);

/** An ancestor that may declare names, with its child on the way down; then the ones above it. */
interface ScopeLink {
  node: SyntaxNode;
  child: SyntaxNode;
  next: ScopeLink | null;
}

const scopeLinks = new WeakMap<Tree, Map<number, ScopeLink | null>>();

/**
 * The ancestors of `node` that may declare names, innermost first. Kept per node, and
 * shared: the identifiers of one block read its chain once between them, instead of each
 * asking every ancestor its type.
 */
function scopesAbove(node: SyntaxNode): ScopeLink | null {
  let cache = scopeLinks.get(node.tree);
  if (!cache) scopeLinks.set(node.tree, (cache = new Map()));
  // Up to the first node whose chain is known (or the root), then down again.
  const path: SyntaxNode[] = [];
  let known: ScopeLink | null = null;
  for (let n: SyntaxNode | null = node; n; n = n.parent) {
    const cached = cache.get(n.id);
    if (cached !== undefined) {
      known = cached;
      break;
    }
    path.push(n);
  }
  for (let i = path.length - 1; i >= 0; i--) {
    const parent = i + 1 < path.length ? path[i + 1] : path[i].parent;
    if (parent && SCOPES.has(parent.type)) known = { node: parent, child: path[i], next: known };
    cache.set(path[i].id, known);
  }
  return known;
}

/** The key of a keyed element in a struct literal names a field: `T{name: v}`. */
function isStructKey(id: SyntaxNode): boolean {
  const element = id.parent;
  const keyed = element?.parent;
  if (element?.type !== 'literal_element' || keyed?.type !== 'keyed_element' || keyed.namedChildren[0]?.id !== element.id) {
    return false;
  }
  // Map literals are written with their type; an elided type is most often a struct's.
  const literal = keyed.parent?.parent;
  const type = literal?.type === 'composite_literal' ? literal.childForFieldName('type') : null;
  return type?.type !== 'map_type';
}

/**
 * The object named `name` that node `n` declares for code in its child `child`, if any:
 * a statement list's earlier statements, an if/for/switch header, a select case's
 * receive, a function's parameters.
 */
function declaredAt(n: SyntaxNode, child: SyntaxNode, name: string, file: GoFile, id: SyntaxNode): GoObject | null {
  switch (n.type) {
    case 'statement_list':
      return declaredInList(n, child, name, file, id);
    case 'if_statement':
    case 'expression_switch_statement':
    case 'type_switch_statement': {
      const init = n.childForFieldName('initializer');
      if (n.type === 'type_switch_statement' && (child.type === 'type_case' || child.type === 'default_case')) {
        const alias = n.childForFieldName('alias')?.namedChildren.find((a) => a.text === name);
        if (alias) return objectFor(file, alias, 'var', n, 0, functionOf(n), n);
      }
      if (!init || (init.id === child.id && !isDeclaringIdent(id, init))) return null;
      return declaredBy(init, name, file, n);
    }
    case 'for_statement': {
      const clause = n.namedChildren.find((c) => c.type === 'for_clause' || c.type === 'range_clause');
      if (!clause) return null;
      if (clause.type === 'range_clause') {
        // The range expression sees the names outside the loop.
        if (isWithin(id, clause.childForFieldName('right'))) return null;
        return isShortDecl(clause) ? boundBy(clause, name, 'var', file, n) : null;
      }
      const init = clause.childForFieldName('initializer');
      if (!init || (isWithin(id, init) && !isDeclaringIdent(id, init))) return null;
      return declaredBy(init, name, file, n);
    }
    case 'communication_case': {
      const comm = n.childForFieldName('communication');
      if (!comm || comm.type !== 'receive_statement' || !isShortDecl(comm)) return null;
      // The receive's own expression sees the names outside the case; its left side declares them.
      if (comm.id === child.id && !comm.childForFieldName('left')?.namedChildren.some((c) => c.id === id.id)) return null;
      return boundBy(comm, name, 'var', file, n);
    }
    case 'function_declaration':
    case 'method_declaration':
    case 'func_literal': {
      const lists: [string, ObjectKind][] = [['receiver', 'receiver'], ['parameters', 'param'], ['result', 'result']];
      for (const [field, kind] of lists) {
        const list = n.childForFieldName(field);
        if (list?.type !== 'parameter_list') continue;
        for (const p of list.namedChildren) {
          const ident = p.childrenForFieldName('name').find((x) => x.text === name);
          if (ident) return objectFor(file, ident, kind, p, 0, n, n);
        }
      }
      return null;
    }
    default:
      return null;
  }
}

/** The object a statement list declares before `child` (the earliest: a later `:=` of the same name reuses it). */
function declaredInList(list: SyntaxNode, child: SyntaxNode, name: string, file: GoFile, id: SyntaxNode): GoObject | null {
  let found: GoObject | null = null;
  for (const stmt of declaringStatements(file, list).get(name) ?? []) {
    if (stmt.startIndex > child.startIndex) break;
    const inner = innerStatement(stmt);
    if (stmt.id === child.id && !isDeclaringIdent(id, inner)) {
      // Only the names on the left of this very declaration are declared here (`x := x + 1` reads the outer x),
      // but in `var ( a T; f = func() { use(a) } )` each spec's names are in scope from the end of that spec.
      if (inner.type === 'var_declaration' || inner.type === 'const_declaration') found = declaredBy(inner, name, file, list, id.startIndex);
      break;
    }
    found = declaredBy(inner, name, file, list);
    if (found) break;
  }
  // Parameters share the function body's outermost block: `x, err := ...` there reuses a parameter x.
  const fn = list.parent?.type === 'block' ? list.parent.parent : null;
  if (found?.decl?.type === 'short_var_declaration' && fn && FUNCTION_TYPES.has(fn.type)) {
    return declaredAt(fn, list.parent!, name, file, id) ?? found;
  }
  return found;
}

const declaringByFile = new WeakMap<GoFile, Map<number, Map<string, SyntaxNode[]>>>();
const NO_DECLARATIONS = new Map<string, SyntaxNode[]>();

/**
 * A statement list's statements that may declare each name, in order. Found once per file
 * from its declarations (`:=`, var, const and type are found from the text), each filed under
 * the statement list it is a statement of (labeled or not): resolving a name then reads
 * neither every statement before it in every enclosing block, nor the statements that
 * declare nothing.
 */
function declaringStatements(file: GoFile, list: SyntaxNode): Map<string, SyntaxNode[]> {
  let byList = declaringByFile.get(file);
  if (!byList) {
    byList = new Map();
    const decls = ['short_var_declaration', 'var_declaration', 'const_declaration', 'type_declaration'].flatMap((t) => nodesOfType(file, t));
    for (const decl of decls.sort((a, b) => a.startIndex - b.startIndex)) {
      const stmt = decl.parent?.type === 'labeled_statement' ? decl.parent : decl;
      const owner = stmt.parent;
      if (owner?.type !== 'statement_list' || innerStatement(stmt).id !== decl.id) continue;
      let byName = byList.get(owner.id);
      if (!byName) byList.set(owner.id, (byName = new Map()));
      for (const name of new Set(namesBoundBy(decl))) {
        const stmts = byName.get(name);
        if (stmts) stmts.push(stmt);
        else byName.set(name, [stmt]);
      }
    }
    declaringByFile.set(file, byList);
  }
  return byList.get(list.id) ?? NO_DECLARATIONS;
}

function innerStatement(stmt: SyntaxNode): SyntaxNode {
  return stmt.type === 'labeled_statement' ? stmt.namedChildren.at(-1) ?? stmt : stmt;
}

/** The names declaredBy may find in a statement (a superset: declaredBy decides). */
function namesBoundBy(stmt: SyntaxNode): string[] {
  switch (stmt.type) {
    case 'short_var_declaration': {
      // The words before its `:=` (which no comment comes before): the names, read off the text.
      const text = stmt.text;
      const left = text.slice(0, text.indexOf(':='));
      if (!left.includes('/')) return wordsOf(left);
      return (stmt.childForFieldName('left')?.namedChildren ?? []).filter((x) => x.type === 'identifier').map((x) => x.text);
    }
    case 'var_declaration':
    case 'const_declaration':
    case 'type_declaration':
      return stmt.descendantsOfType(['var_spec', 'const_spec', 'type_spec', 'type_alias']).flatMap((spec) => spec.childrenForFieldName('name').map((x) => x.text));
    default:
      return [];
  }
}

/** Whether `id` is one of the names a declaration statement binds. */
function isDeclaringIdent(id: SyntaxNode, stmt: SyntaxNode): boolean {
  if (stmt.type === 'short_var_declaration') return !!stmt.childForFieldName('left')?.namedChildren.some((c) => c.id === id.id);
  if (stmt.type === 'var_declaration' || stmt.type === 'const_declaration') {
    return stmt.descendantsOfType(['var_spec', 'const_spec']).some((s) => s.childrenForFieldName('name').some((c) => c.id === id.id));
  }
  return false;
}

/**
 * The object a declaration statement (`:=`, var, const, type) binds to `name`, scoped to
 * `scope`; of a var or const group, only the specs that end before offset `before`.
 */
function declaredBy(stmt: SyntaxNode, name: string, file: GoFile, scope: SyntaxNode, before = Infinity): GoObject | null {
  switch (stmt.type) {
    case 'short_var_declaration':
      return boundBy(stmt, name, 'var', file, scope);
    case 'var_declaration':
    case 'const_declaration':
    case 'type_declaration': {
      const kind: ObjectKind = stmt.type === 'var_declaration' ? 'var' : stmt.type === 'const_declaration' ? 'const' : 'type';
      for (const spec of stmt.descendantsOfType(['var_spec', 'const_spec', 'type_spec', 'type_alias'])) {
        if (spec.endIndex > before) continue;
        const names = spec.childrenForFieldName('name');
        const i = names.findIndex((x) => x.text === name);
        if (i >= 0) return objectFor(file, names[i], kind, spec, i, functionOf(stmt), scope);
      }
      return null;
    }
    default:
      return null;
  }
}

/** The object for `name` on the left of `:=`, a range clause or a select receive. */
function boundBy(stmt: SyntaxNode, name: string, kind: ObjectKind, file: GoFile, scope: SyntaxNode): GoObject | null {
  const left = stmt.childForFieldName('left')?.namedChildren ?? [];
  const i = left.findIndex((x) => x.type === 'identifier' && x.text === name);
  return i >= 0 ? objectFor(file, left[i], kind, stmt, i, functionOf(stmt), scope) : null;
}

function isShortDecl(stmt: SyntaxNode): boolean {
  for (let i = 0; i < stmt.childCount; i++) if (stmt.child(i)?.type === ':=') return true;
  return false;
}

function isWithin(node: SyntaxNode, outer: SyntaxNode | null): boolean {
  return !!outer && node.startIndex >= outer.startIndex && node.endIndex <= outer.endIndex;
}

function functionOf(node: SyntaxNode): SyntaxNode | null {
  for (let n = node.parent; n; n = n.parent) if (FUNCTION_TYPES.has(n.type)) return n;
  return null;
}
