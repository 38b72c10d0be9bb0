import type { SyntaxNode } from '../tree.js';
import type { GoFile, Package } from '../../engine/types.js';
import { nodesOfType, spelledLeaves, wordsOf } from '../nodes.js';
import { typeFromSyntax, underlying, UNKNOWN, type GoType } from './types.js';

/**
 * Composite literals and their elements, found from the text: which elements store a value
 * under a key spelled `name`, and which literals may be of a given type. Reading every
 * element of every literal of a package costs more than most questions asked of them.
 */

/** One element of a literal: the value it stores, and the literal it is in. */
export interface LiteralElement {
  file: GoFile;
  /** The composite literal, or an elided literal_value inside another (`[]T{{...}}`). */
  literal: SyntaxNode;
  elided: boolean;
  /** The keyed_element, or the positional element. */
  element: SyntaxNode;
  /** The value stored (inside `{...}` of a literal_element). */
  value: SyntaxNode;
}

/**
 * The type of a composite literal (`T{...}`), or of an elided one inside another
 * (`[]T{{...}}`, `map[K]*T{k: {...}}`: a literal_value), which is the outer one's element type.
 */
export function literalType(pkg: Package, file: GoFile, literal: SyntaxNode): GoType {
  if (literal.type === 'composite_literal') return typeFromSyntax(pkg, file, literal.childForFieldName('type'));
  const element = literal.type === 'literal_value' && literal.parent?.type === 'literal_element' ? literal.parent : null;
  const keyed = element?.parent?.type === 'keyed_element' ? element.parent : null;
  const outerBody = (keyed ?? element)?.parent;
  const outer = outerBody?.type === 'literal_value' ? (outerBody.parent?.type === 'composite_literal' ? outerBody.parent : outerBody) : null;
  if (!element || !outer) return UNKNOWN;
  const u = underlying(pkg, literalType(pkg, file, outer));
  const elem = u.kind === 'map' ? (keyed?.childForFieldName('key')?.id === element.id ? u.key : u.value) : u.kind === 'slice' || u.kind === 'array' ? u.elem : UNKNOWN;
  // `{...}` for a pointer element type is `&T{...}`.
  return elem.kind === 'pointer' ? elem.elem : elem;
}

const keyedByPackage = new WeakMap<Package, Map<string, LiteralElement[]>>();

/**
 * The keyed elements of the package whose key is spelled `name` (`name: v`), in file and
 * source order; once per package and name. Only a spelling followed by `:` (or a comment)
 * can be such a key: the others are never brought out of the parser.
 */
export function keyedElementsNamed(pkg: Package, name: string): readonly LiteralElement[] {
  let byName = keyedByPackage.get(pkg);
  if (!byName) keyedByPackage.set(pkg, (byName = new Map()));
  let found = byName.get(name);
  if (found) return found;
  found = [];
  for (const file of pkg.files) {
    if (!file.source.includes(name)) continue;
    for (const leaf of spelledLeaves(file.tree.rootNode, name, (at) => mayBeKey(file.source, at + name.length))) {
      const key = leaf.type === 'identifier' ? leaf.parent : null;
      const keyed = key?.type === 'literal_element' ? key.parent : null;
      if (keyed?.type !== 'keyed_element' || keyed.childForFieldName('key')?.id !== key!.id) continue;
      const body = keyed.parent;
      const literal = body?.parent?.type === 'composite_literal' ? body.parent : body?.parent?.type === 'literal_element' ? body : null;
      const v = keyed.childForFieldName('value');
      const value = v?.type === 'literal_element' ? v.namedChildren.find((c) => c.type !== 'comment') : v;
      if (literal && value) found.push({ file, literal, elided: literal.type === 'literal_value', element: keyed, value });
    }
  }
  byName.set(name, found);
  return found;
}

/** Whether the text after a spelled name may continue as a key: `:` but not `:=`, or a comment before it. */
function mayBeKey(source: string, end: number): boolean {
  let i = end;
  while (i < source.length && (source[i] === ' ' || source[i] === '\t' || source[i] === '\n' || source[i] === '\r')) i++;
  if (source[i] === '/') return true;
  return source[i] === ':' && source[i + 1] !== '=';
}

/**
 * The literals of the package (composite, and elided inside them) whose type may involve the
 * type declared as `typeName`: the literal's type, as written on the outermost composite,
 * spells that name or the name of a type whose declaration does (and so on). A literal whose
 * type reaches the named one must be written so; the others cannot be of it. In file order,
 * each file's in source order.
 */
export function literalsMayBeOf(pkg: Package, typeName: string): readonly TypedLiteral[] {
  let byType = literalsByPackage.get(pkg);
  if (!byType) literalsByPackage.set(pkg, (byType = new Map()));
  let found = byType.get(typeName);
  if (!found) byType.set(typeName, (found = findLiteralsMayBeOf(pkg, typeName)));
  return found;
}

interface TypedLiteral {
  file: GoFile;
  literal: SyntaxNode;
  elided: boolean;
}

const literalsByPackage = new WeakMap<Package, Map<string, TypedLiteral[]>>();

function findLiteralsMayBeOf(pkg: Package, typeName: string): TypedLiteral[] {
  const names = namesReaching(pkg, typeName);
  return packageLiterals(pkg).filter((l) => l.words.some((w) => names.has(w)));
}

/** A literal of the package, with the words of the type written on the outermost composite literal it is in (or is). */
interface WrittenLiteral extends TypedLiteral {
  words: readonly string[];
}

const literalsOfPackage = new WeakMap<Package, WrittenLiteral[]>();

/** Every literal of the package, in file order, each file's in source order; found once per package. */
function packageLiterals(pkg: Package): WrittenLiteral[] {
  let found = literalsOfPackage.get(pkg);
  if (found) return found;
  found = [];
  for (const file of pkg.files) {
    // Literal bodies in source order; each one's innermost enclosing body, by extent, is the
    // literal an elided one is an element of.
    const open: { body: SyntaxNode; words: readonly string[] }[] = [];
    for (const body of nodesOfType(file, 'literal_value')) {
      while (open.length && open[open.length - 1].body.endIndex <= body.startIndex) open.pop();
      const parent = body.parent;
      let words: readonly string[] = [];
      if (parent?.type === 'composite_literal') {
        words = wordsOf(parent.childForFieldName('type')?.text ?? '');
        found.push({ file, literal: parent, elided: false, words });
      } else if (parent?.type === 'literal_element' && open.length > 0) {
        words = open[open.length - 1].words;
        found.push({ file, literal: body, elided: true, words });
      }
      open.push({ body, words });
    }
  }
  literalsOfPackage.set(pkg, found);
  return found;
}

const mentionsOfPackage = new WeakMap<Package, Map<string, string[]>>();

/**
 * `typeName`, and the names of the package's types (in any scope) whose declaration spells
 * one of these names as a word, to a fixed point: every type from which the named one can
 * be reached. A type declared twice (in files for two platforms) counts with both declarations.
 */
function namesReaching(pkg: Package, typeName: string): Set<string> {
  // Each word a type declaration spells, with the types whose declarations spell it.
  let mentions = mentionsOfPackage.get(pkg);
  if (!mentions) {
    mentions = new Map();
    for (const file of pkg.files) {
      if (!file.source.includes('type')) continue;
      // Aliases are left out: the model does not resolve them, so no literal reaches a type through one.
      for (const spec of nodesOfType(file, 'type_spec')) {
        const name = spec.childForFieldName('name')?.text;
        if (!name) continue;
        for (const word of wordsOf(spec.text)) {
          const by = mentions.get(word);
          if (by) by.push(name);
          else mentions.set(word, [name]);
        }
      }
    }
    mentionsOfPackage.set(pkg, mentions);
  }
  const names = new Set([typeName]);
  const queue = [typeName];
  for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
    for (const by of mentions.get(name) ?? []) {
      if (names.has(by)) continue;
      names.add(by);
      queue.push(by);
    }
  }
  return names;
}
