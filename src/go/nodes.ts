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
  type_spec: (file) => childrenOfType(nodesOfType(file, 'type_declaration'), 'type_spec'),
  go_statement: (file) => spelledIn(file.tree.rootNode, 'go', 'go_statement'),
  defer_statement: (file) => spelledIn(file.tree.rootNode, 'defer', 'defer_statement'),
  func_literal: (file) => spelledIn(file.tree.rootNode, 'func', 'func_literal'),
  short_var_declaration: (file) => spelledIn(file.tree.rootNode, ':=', 'short_var_declaration'),
  var_declaration: (file) => spelledIn(file.tree.rootNode, 'var', 'var_declaration'),
  const_declaration: (file) => spelledIn(file.tree.rootNode, 'const', 'const_declaration'),
  type_declaration: (file) => spelledIn(file.tree.rootNode, 'type', 'type_declaration'),
  const_spec: (file) => childrenOfType(nodesOfType(file, 'const_declaration'), 'const_spec'),
  var_spec: (file) => {
    const decls = nodesOfType(file, 'var_declaration');
    const specs = childrenOfType([...decls, ...childrenOfType(decls, 'var_spec_list')], 'var_spec');
    return inSourceOrder(specs);
  },
  method_elem: (file) => childrenOfType(spelledIn(file.tree.rootNode, 'interface', 'interface_type'), 'method_elem'),
  literal_value: (file) => spelledIn(file.tree.rootNode, '{', 'literal_value'),
  // A literal's type may hold a literal of its own (`[unsafe.Sizeof(T{})]byte{}`): hence the sort.
  composite_literal: (file) => inSourceOrder(nodesOfType(file, 'literal_value').flatMap((v) => (v.parent?.type === 'composite_literal' ? [v.parent] : []))),
  keyed_element: (file) => inSourceOrder(childrenOfType(nodesOfType(file, 'literal_value'), 'keyed_element')),
};

/**
 * The nodes of type `parentType` that have the token spelled `token` as a child of their own,
 * in source order. A token is anonymous, so the smallest named node around it is its parent:
 * one question to the parser per place the text spells it, which brings out neither the
 * token nor the parent's ancestors. A match in a comment or a string gives that comment or
 * string; one in nested code gives the nested node, which owns it.
 */
function spelledIn(root: SyntaxNode, token: string, parentType: string): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  for (const at of spellings(root, token)) {
    const node = root.namedDescendantForIndex(at, at + token.length);
    if (node.type === parentType) found.push(node);
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
 * The nodes of a type within `node` (itself included), in source order, as
 * `node.descendantsOfType(type)` gives them: read off the file's nodes of that type
 * (nodesOfType), so asking for many nodes of one file does not search its tree each time.
 */
export function nodesWithin(file: GoFile, type: string, node: SyntaxNode): SyntaxNode[] {
  const all = nodesOfType(file, type);
  let lo = 0;
  let hi = all.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (all[mid].startIndex < node.startIndex) lo = mid + 1;
    else hi = mid;
  }
  const found: SyntaxNode[] = [];
  for (let i = lo; i < all.length && all[i].startIndex < node.endIndex; i++) if (all[i].endIndex <= node.endIndex) found.push(all[i]);
  return found;
}

/**
 * The native parser gives nodes of a named type a class of their own: its type is found
 * once per class, not once per node. The class that defines the node methods is shared
 * (by the types without a class of their own); a FlatNode's type is an array read.
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
 * source order: the text is searched, and only the matches (those `where` keeps, given the
 * match's index) are brought out of the parser. A name that starts or ends with a letter or
 * digit matches there only as a whole word.
 */
export function spelledLeaves(root: SyntaxNode, name: string, where: (at: number) => boolean = () => true): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  for (const at of spellings(root, name)) {
    if (!where(at)) continue;
    const node = root.descendantForIndex(at, at + name.length);
    if (node.startIndex === at && node.endIndex === at + name.length) found.push(node);
  }
  return found;
}

/**
 * Where `root`'s text spells `name`, as indices into the file: a name that starts or ends
 * with a letter or digit only as a whole word there.
 */
function spellings(root: SyntaxNode, name: string): number[] {
  const found: number[] = [];
  if (!name) return found;
  // The root's text starts where the root does (after any leading blank lines).
  const text = root.text;
  const offset = root.startIndex;
  const wordStart = isIdentifierChar(name, 0);
  const wordEnd = isIdentifierChar(name, name.length - 1);
  for (let i = text.indexOf(name); i >= 0; i = text.indexOf(name, i + name.length)) {
    if ((wordStart && isIdentifierChar(text, i - 1)) || (wordEnd && isIdentifierChar(text, i + name.length))) continue;
    found.push(offset + i);
  }
  return found;
}

/** The distinct words (longest runs of letters, digits and `_`) of a text. */
export function wordsOf(text: string): string[] {
  const words = new Set<string>();
  for (let i = 0; i < text.length; ) {
    if (!isIdentifierChar(text, i)) {
      i++;
      continue;
    }
    let end = i + 1;
    while (isIdentifierChar(text, end)) end++;
    words.add(text.slice(i, end));
    i = end;
  }
  return [...words];
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
