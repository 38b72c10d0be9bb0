/**
 * The syntax tree as the rules see it: the members of a tree-sitter node that this project
 * uses, written out so that both parsers (src/parser/: the native tree-sitter module and
 * its WebAssembly build) satisfy it, and so that type-checking needs neither one's types.
 * Positions are 0-based; columns and indices count UTF-16 code units (the parsers read JS
 * strings). A node is the same object each time it is reached, so nodes can be compared
 * with === and kept in Sets (src/parser/ guarantees this for both parsers).
 */
export interface Point {
  row: number;
  column: number;
}

export interface SyntaxNode {
  /** Unique within its tree (and among trees alive at once). */
  readonly id: number;
  readonly type: string;
  readonly text: string;
  readonly tree: Tree;
  readonly parent: SyntaxNode | null;
  readonly children: SyntaxNode[];
  readonly namedChildren: SyntaxNode[];
  readonly childCount: number;
  readonly namedChildCount: number;
  readonly lastChild: SyntaxNode | null;
  readonly firstNamedChild: SyntaxNode | null;
  readonly previousNamedSibling: SyntaxNode | null;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly startPosition: Point;
  readonly endPosition: Point;
  readonly hasError: boolean;
  readonly isMissing: boolean;
  child(index: number): SyntaxNode | null;
  childForFieldName(name: string): SyntaxNode | null;
  childrenForFieldName(name: string): SyntaxNode[];
  descendantsOfType(types: string | string[]): SyntaxNode[];
  descendantForIndex(start: number, end?: number): SyntaxNode;
  namedDescendantForIndex(start: number, end?: number): SyntaxNode;
  descendantForPosition(point: Point): SyntaxNode;
}

export interface Tree {
  readonly rootNode: SyntaxNode;
}
