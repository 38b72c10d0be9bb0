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
  // A warm start: the types the rules ask for, so the first walk of each file serves them all
  // (learned one by one, the first files of each thread were walked up to seven times).
  'call_expression', 'composite_literal', 'const_spec', 'defer_statement', 'func_literal',
  'go_statement', 'keyed_element', 'literal_value', 'method_elem', 'short_var_declaration', 'var_spec',
]);

/**
 * Types found without a walk: functions and methods are children of the file's root, and
 * type declarations are too, or (in a function) spelled with the `type` keyword. Every
 * package asks for its types (the model's type index), most files for nothing else: those
 * are then never walked.
 */
const DECLARATIONS: Record<string, (root: SyntaxNode) => SyntaxNode[]> = {
  function_declaration: (root) => root.namedChildren.filter((n) => n.type === 'function_declaration'),
  method_declaration: (root) => root.namedChildren.filter((n) => n.type === 'method_declaration'),
  type_spec: (root) => {
    const decls = root.namedChildren.filter((n) => n.type === 'type_declaration');
    for (const keyword of spelledLeaves(root, 'type')) {
      const decl = keyword.parent;
      if (keyword.type === 'type' && decl?.type === 'type_declaration' && decl.parent?.type !== 'source_file') decls.push(decl);
    }
    return decls.sort((a, b) => a.startIndex - b.startIndex).flatMap((d) => d.namedChildren.filter((n) => n.type === 'type_spec'));
  },
};

/**
 * Every node of a type in a file, found once per file and type and shared by all rules
 * (a walk of the whole tree costs more than most rules' own work). Do not modify the array.
 */
export function nodesOfType(file: GoFile, type: string): readonly SyntaxNode[] {
  let cache = byTree.get(file.tree);
  if (!cache) byTree.set(file.tree, (cache = new Map()));
  const found = cache.get(type);
  if (found) return found;
  const declarations = DECLARATIONS[type];
  if (declarations) {
    const nodes = declarations(file.tree.rootNode);
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
 * The leaves (identifiers, field and type names, keywords) spelled `name` as a whole word,
 * in source order: the text is searched, and only the matches are brought out of the parser.
 */
export function spelledLeaves(root: SyntaxNode, name: string): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  if (!name) return found;
  // The root's text starts where the root does (after any leading blank lines).
  const text = root.text;
  const offset = root.startIndex;
  for (let i = text.indexOf(name); i >= 0; i = text.indexOf(name, i + name.length)) {
    if (isIdentifierChar(text, i - 1) || isIdentifierChar(text, i + name.length)) continue;
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
