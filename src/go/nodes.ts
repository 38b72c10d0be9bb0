import type { SyntaxNode, Tree } from './tree.js';
import type { GoFile } from '../engine/types.js';

const byTree = new WeakMap<Tree, Map<string, SyntaxNode[]>>();

/**
 * The types rules have asked nodesOfType for in this thread. Each walk of a tree costs
 * about as much whatever it looks for, so the first request on a tree fetches every
 * type asked for so far in one walk: after the first few files, one walk per file
 * serves all rules (over net/http, go/types, runtime and ssagen: 1.2 s instead of 2.8 s
 * for five types).
 */
const wanted = new Set<string>([
  // A warm start: of the types rules ask for, the only one found by a walk.
  'call_expression',
]);

/**
 * Types found without a walk: functions and methods are children of the file's root; the
 * rest are spelled with a token of their own (`go`, `defer`, `func`, `:=`, `{`, a
 * declaration's keyword) that the text is searched for. A walk visits every node of the
 * file; over the standard library a search costs a sixth of it or less. Every package asks
 * for its types (the model's type index), most files for little else: those are then never
 * walked.
 */
const FOUND_BY_TEXT: Record<string, (file: GoFile) => SyntaxNode[]> = {
  function_declaration: (file) => file.tree.rootNode.namedChildren.filter((n) => n.type === 'function_declaration'),
  method_declaration: (file) => file.tree.rootNode.namedChildren.filter((n) => n.type === 'method_declaration'),
  // Type declarations are children of the root, or (in a function) spelled with `type`.
  type_spec: (file) => {
    const root = file.tree.rootNode;
    const inFunctions = spelledIn(root, 'type', 'type_declaration').filter((d) => d.parent?.type !== 'source_file');
    const decls = [...root.namedChildren.filter((n) => n.type === 'type_declaration'), ...inFunctions];
    return childrenOfType(inSourceOrder(decls), 'type_spec');
  },
  go_statement: (file) => spelledIn(file.tree.rootNode, 'go', 'go_statement'),
  defer_statement: (file) => spelledIn(file.tree.rootNode, 'defer', 'defer_statement'),
  func_literal: (file) => spelledIn(file.tree.rootNode, 'func', 'func_literal'),
  short_var_declaration: (file) => spelledIn(file.tree.rootNode, ':=', 'short_var_declaration'),
  const_spec: (file) => childrenOfType(spelledIn(file.tree.rootNode, 'const', 'const_declaration'), 'const_spec'),
  var_spec: (file) => {
    const decls = spelledIn(file.tree.rootNode, 'var', 'var_declaration');
    const specs = childrenOfType([...decls, ...childrenOfType(decls, 'var_spec_list')], 'var_spec');
    return inSourceOrder(specs);
  },
  method_elem: (file) => childrenOfType(spelledIn(file.tree.rootNode, 'interface', 'interface_type'), 'method_elem'),
  literal_value: (file) => spelledIn(file.tree.rootNode, '{', 'literal_value'),
  // A literal's type may hold a literal of its own (`[unsafe.Sizeof(T{})]byte{}`): hence the sort.
  composite_literal: (file) => inSourceOrder(nodesOfType(file, 'literal_value').flatMap((v) => (v.parent?.type === 'composite_literal' ? [v.parent] : []))),
  keyed_element: (file) => inSourceOrder(childrenOfType(nodesOfType(file, 'literal_value'), 'keyed_element')),
};

/** The parents of type `parentType` of the leaves spelled `token`, in source order. */
function spelledIn(root: SyntaxNode, token: string, parentType: string): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  for (const leaf of spelledLeaves(root, token)) {
    const parent = leaf.parent;
    if (leaf.type === token && parent?.type === parentType) found.push(parent);
  }
  return inSourceOrder(found);
}

function childrenOfType(parents: readonly SyntaxNode[], type: string): SyntaxNode[] {
  return parents.flatMap((p) => p.namedChildren.filter((c) => c.type === type));
}

/** The order of a walk: by start, and an outer node before the inner ones that start with it. */
function inSourceOrder(nodes: SyntaxNode[]): SyntaxNode[] {
  return nodes.sort((a, b) => a.startIndex - b.startIndex || b.endIndex - a.endIndex);
}

/**
 * Every node of a type in a file, found once per file and type and shared by all rules
 * (a walk of the whole tree costs more than most rules' own work). Do not modify the array.
 */
export function nodesOfType(file: GoFile, type: string): readonly SyntaxNode[] {
  let cache = byTree.get(file.tree);
  if (!cache) byTree.set(file.tree, (cache = new Map()));
  const found = cache.get(type);
  if (found) return found;
  const byText = FOUND_BY_TEXT[type];
  if (byText) {
    const nodes = byText(file);
    cache.set(type, nodes);
    return nodes;
  }
  wanted.add(type);
  const types = [...wanted].filter((t) => !cache.has(t));
  for (const t of types) cache.set(t, []);
  for (const node of file.tree.rootNode.descendantsOfType(types)) cache.get(typeOf(node))?.push(node);
  return cache.get(type) as SyntaxNode[];
}

/**
 * The native parser gives nodes of a named type a class of their own: its type is found
 * once per class, not once per node. The class that defines the node methods is shared
 * (by the types without a class of their own, and by every node of the WebAssembly parser).
 */
const typeByClass = new Map<unknown, string>();

function typeOf(node: SyntaxNode): string {
  let type = typeByClass.get(node.constructor);
  if (type === undefined) {
    type = node.type;
    if (!Object.prototype.hasOwnProperty.call(node.constructor.prototype, 'childForFieldName')) typeByClass.set(node.constructor, type);
  }
  return type;
}

const identifiersByTree = new WeakMap<Tree, Map<string, SyntaxNode[]>>();

/**
 * Identifiers named `name` within `scope` (a function body, a file's root), in source
 * order. Found per file and name from the text: each place the name is spelled as a whole
 * word is asked for its node, which costs far less than bringing every identifier of the
 * file out of the parser (most names are asked for in few files, and spelled a few times).
 */
export function identifierUses(scope: SyntaxNode, name: string): SyntaxNode[] {
  let byName = identifiersByTree.get(scope.tree);
  if (!byName) identifiersByTree.set(scope.tree, (byName = new Map()));
  let all = byName.get(name);
  if (!all) byName.set(name, (all = spelledIdentifiers(scope.tree.rootNode, name)));
  return all.filter((n) => n.startIndex >= scope.startIndex && n.endIndex <= scope.endIndex);
}

function spelledIdentifiers(root: SyntaxNode, name: string): SyntaxNode[] {
  return spelledLeaves(root, name).filter((n) => n.type === 'identifier');
}

/**
 * The leaves (identifiers, field and type names, keywords, operators) spelled `name`, in
 * source order: the text is searched, and only the matches are brought out of the parser. A
 * name that starts or ends with a letter or digit matches there only as a whole word.
 */
export function spelledLeaves(root: SyntaxNode, name: string): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  if (!name) return found;
  // The root's text starts where the root does (after any leading blank lines).
  const text = root.text;
  const offset = root.startIndex;
  const wordStart = isIdentifierChar(name, 0);
  const wordEnd = isIdentifierChar(name, name.length - 1);
  for (let i = text.indexOf(name); i >= 0; i = text.indexOf(name, i + name.length)) {
    if ((wordStart && isIdentifierChar(text, i - 1)) || (wordEnd && isIdentifierChar(text, i + name.length))) continue;
    const node = root.descendantForIndex(offset + i, offset + i + name.length);
    if (node.startIndex === offset + i && node.endIndex === offset + i + name.length) found.push(node);
  }
  return found;
}

const LETTER_OR_DIGIT = /[\p{L}\p{Nd}]/u;

function isIdentifierChar(text: string, i: number): boolean {
  if (i < 0 || i >= text.length) return false;
  const c = text.charCodeAt(i);
  if (c < 128) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
  // A letter outside the Basic Multilingual Plane is two UTF-16 units: either half joins the word.
  return (c >= 0xd800 && c <= 0xdfff) || LETTER_OR_DIGIT.test(text[i]);
}

const callsByTree = new WeakMap<Tree, Map<string, SyntaxNode[]>>();

/**
 * The calls in a file of a function or method spelled with one of `names`: `name(...)`,
 * `x.name(...)`, through parentheses, in source order. Found from the text, as
 * identifierUses are: for rules that look at calls of a few names, far cheaper than every
 * call_expression of the file.
 */
export function callsNamed(file: GoFile, names: readonly string[]): SyntaxNode[] {
  let byName = callsByTree.get(file.tree);
  if (!byName) callsByTree.set(file.tree, (byName = new Map()));
  const found: SyntaxNode[] = [];
  for (const name of new Set(names)) {
    let calls = byName.get(name);
    if (!calls) byName.set(name, (calls = spelledCalls(file.tree.rootNode, name)));
    found.push(...calls);
  }
  return names.length > 1 ? inSourceOrder(found) : found;
}

function spelledCalls(root: SyntaxNode, name: string): SyntaxNode[] {
  const calls: SyntaxNode[] = [];
  for (const leaf of spelledLeaves(root, name)) {
    let callee: SyntaxNode | null = leaf.type === 'identifier' ? leaf : null;
    if (leaf.type === 'field_identifier' && leaf.parent?.type === 'selector_expression') callee = leaf.parent;
    while (callee?.parent?.type === 'parenthesized_expression') callee = callee.parent;
    const call = callee?.parent;
    if (call?.type === 'call_expression' && call.childForFieldName('function')?.id === callee!.id) calls.push(call);
  }
  return calls;
}
