import type { Point, SyntaxNode, Tree } from '../go/tree.js';

/**
 * The exports of web-tree-sitter's WebAssembly module that copy a tree out: each reads a
 * tree cursor from the module's transfer buffer and writes it back, so a walk of these
 * calls keeps its cursor there, with no JS object per step.
 */
export interface CursorExports {
  _ts_tree_cursor_current_node_type_id_wasm(tree: number): number;
  _ts_tree_cursor_start_index_wasm(tree: number): number;
  _ts_tree_cursor_end_index_wasm(tree: number): number;
  _ts_tree_cursor_current_field_id_wasm(tree: number): number;
  _ts_tree_cursor_current_node_is_missing_wasm(tree: number): number;
  _ts_tree_cursor_goto_first_child_wasm(tree: number): number;
  _ts_tree_cursor_goto_next_sibling_wasm(tree: number): number;
  _ts_tree_cursor_goto_parent_wasm(tree: number): number;
  _ts_tree_cursor_delete_wasm(tree: number): void;
}

/** What the copy needs of a WebAssembly tree (web-tree-sitter's Tree). */
export interface WasmTree {
  /** The tree's address in WebAssembly memory. */
  readonly 0: number;
  readonly rootNode: { readonly descendantCount: number; readonly hasError: boolean; walk(): unknown };
  delete(): void;
}

/** A grammar's names: node types and fields by id, as web-tree-sitter's Language has them. */
export interface Names {
  readonly types: readonly (string | undefined)[];
  readonly fields: readonly (string | null)[];
  nodeTypeIsNamed(typeId: number): boolean;
}

const ERROR_SYMBOL = 65535;
/** Ids are unique among every tree of the thread, as SyntaxNode.id promises. */
let nextId = 1;

/**
 * A syntax tree copied out of WebAssembly into typed arrays, in preorder: node i's
 * descendants are i+1 up to end[i]. Reading a node then costs an array read, where each
 * read of a web-tree-sitter node crosses into WebAssembly (and marshals the node); and the
 * tree is garbage-collected like any JS value, so the WebAssembly one is freed at once.
 * The members answer as web-tree-sitter's do (test/flat-tree.test.ts compares them).
 */
export class FlatTree implements Tree {
  readonly typeIds: Uint16Array;
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
  readonly fieldIds: Uint16Array;
  readonly parents: Int32Array;
  readonly nextSiblings: Int32Array;
  /** Index past node i's last descendant. */
  readonly subtreeEnds: Int32Array;
  /** Bit 1: missing; bit 2: has an error. */
  readonly flags: Uint8Array;
  readonly idBase: number;
  private readonly nodes: (FlatNode | undefined)[];
  private lineStarts: number[] | null = null;

  constructor(
    readonly source: string,
    readonly names: FlatNames,
    wasm: WasmTree,
    raw: CursorExports,
  ) {
    const root = wasm.rootNode;
    const n = root.descendantCount;
    this.typeIds = new Uint16Array(n);
    this.starts = new Uint32Array(n);
    this.ends = new Uint32Array(n);
    this.fieldIds = new Uint16Array(n);
    this.parents = new Int32Array(n);
    this.nextSiblings = new Int32Array(n);
    this.subtreeEnds = new Int32Array(n);
    this.flags = new Uint8Array(n);
    this.nodes = new Array<FlatNode | undefined>(n);
    this.idBase = nextId;
    nextId += n;
    const withErrors = root.hasError;
    root.walk(); // the cursor now sits in the transfer buffer, at the root
    const t = wasm[0];
    let i = 0;
    let parent = -1;
    let previous = -1; // the previous sibling of the node being copied
    for (;;) {
      this.typeIds[i] = raw._ts_tree_cursor_current_node_type_id_wasm(t);
      this.starts[i] = raw._ts_tree_cursor_start_index_wasm(t);
      this.ends[i] = raw._ts_tree_cursor_end_index_wasm(t);
      this.fieldIds[i] = raw._ts_tree_cursor_current_field_id_wasm(t);
      if (withErrors && raw._ts_tree_cursor_current_node_is_missing_wasm(t)) this.flags[i] = 1;
      this.parents[i] = parent;
      this.nextSiblings[i] = -1;
      if (previous >= 0) this.nextSiblings[previous] = i;
      if (raw._ts_tree_cursor_goto_first_child_wasm(t)) {
        parent = i++;
        previous = -1;
        continue;
      }
      this.subtreeEnds[i] = i + 1;
      previous = i++;
      let more = true;
      while (!raw._ts_tree_cursor_goto_next_sibling_wasm(t)) {
        if (!raw._ts_tree_cursor_goto_parent_wasm(t)) {
          more = false;
          break;
        }
        this.subtreeEnds[parent] = i;
        previous = parent;
        parent = this.parents[parent];
      }
      if (!more) break;
    }
    raw._ts_tree_cursor_delete_wasm(t);
    wasm.delete();
    if (i !== n) throw new Error(`copying a syntax tree: ${i} nodes walked, ${n} expected`);
    this.subtreeEnds[0] = n;
    if (withErrors) this.markErrors();
  }

  get rootNode(): FlatNode {
    return this.node(0);
  }

  node(i: number): FlatNode {
    return (this.nodes[i] ??= new FlatNode(this, i));
  }

  /** The child indices of node i, in order. */
  childIndices(i: number): number[] {
    const out: number[] = [];
    if (this.subtreeEnds[i] === i + 1) return out;
    for (let c = i + 1; c !== -1; c = this.nextSiblings[c]) out.push(c);
    return out;
  }

  private lines(): number[] {
    return (this.lineStarts ??= lineStartsOf(this.source));
  }

  position(index: number): Point {
    const starts = this.lines();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    return { row: lo, column: index - starts[lo] };
  }

  indexOf(point: Point): number {
    const starts = this.lines();
    if (point.row >= starts.length) return this.source.length;
    const lineEnd = point.row + 1 < starts.length ? starts[point.row + 1] - 1 : this.source.length;
    return Math.min(starts[point.row] + point.column, lineEnd);
  }

  /**
   * tree-sitter's descent to the smallest node that spans [start, end]: into the first
   * child that ends at or past `end` and past `start` (or at it, for an empty child), as
   * long as that child starts at or before `start`; the last such node that is visible
   * (named, when `named`) is the answer.
   */
  descendantFor(from: number, start: number, end: number, named: boolean): number {
    let node = from;
    let answer = from;
    for (let descended = true; descended; ) {
      descended = false;
      if (this.subtreeEnds[node] === node + 1) break;
      for (let c = node + 1; c !== -1; c = this.nextSiblings[c]) {
        const cEnd = this.ends[c];
        if (cEnd < end) continue;
        if (this.starts[c] === cEnd ? cEnd < start : cEnd <= start) continue;
        if (start < this.starts[c]) break;
        node = c;
        if (!named || this.names.isNamed(this.typeIds[c])) answer = c;
        descended = true;
        break;
      }
    }
    return answer;
  }

  /**
   * Sets the has-error bit bottom-up, as tree-sitter counts an error cost: on a missing
   * node, an ERROR node with children (an ERROR leaf, one skipped character, costs nothing
   * itself), and every node above either.
   */
  private markErrors(): void {
    for (let i = this.typeIds.length - 1; i >= 0; i--) {
      if (this.flags[i] & 1 || (this.typeIds[i] === ERROR_SYMBOL && this.subtreeEnds[i] > i + 1)) this.flags[i] |= 2;
      const p = this.parents[i];
      if (p >= 0 && this.flags[i] & 2) this.flags[p] |= 2;
    }
  }
}

/** A grammar's names, looked up the way the copied trees need them. */
export class FlatNames {
  private readonly named = new Map<number, boolean>();
  private readonly fieldIds = new Map<string, number>();
  private readonly idsByTypes = new Map<string, Set<number>>();

  constructor(private readonly language: Names) {
    language.fields.forEach((name, id) => {
      if (name) this.fieldIds.set(name, id);
    });
  }

  type(typeId: number): string {
    return this.language.types[typeId] || 'ERROR'; // as web-tree-sitter names them: an empty name too
  }

  isNamed(typeId: number): boolean {
    let named = this.named.get(typeId);
    if (named === undefined) this.named.set(typeId, (named = this.language.nodeTypeIsNamed(typeId)));
    return named;
  }

  /** The type ids that descendantsOfType(types) matches, as web-tree-sitter picks them. */
  typeIdsOf(types: readonly string[]): Set<number> {
    const key = types.join(' ');
    let ids = this.idsByTypes.get(key);
    if (!ids) {
      ids = new Set<number>();
      if (types.includes('ERROR')) ids.add(ERROR_SYMBOL);
      this.language.types.forEach((name, id) => {
        if (name !== undefined && types.includes(name)) ids!.add(id);
      });
      this.idsByTypes.set(key, ids);
    }
    return ids;
  }

  /** The field's id, or 0 (no field) for a name the grammar does not have. */
  fieldId(name: string): number {
    return this.fieldIds.get(name) ?? 0;
  }
}

function lineStartsOf(source: string): number[] {
  const starts = [0];
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** One node of a FlatTree: made on first use, then the same object each time. */
export class FlatNode implements SyntaxNode {
  private childList: FlatNode[] | undefined;
  private namedList: FlatNode[] | undefined;

  constructor(
    readonly tree: FlatTree,
    readonly index: number,
  ) {}

  get id(): number {
    return this.tree.idBase + this.index;
  }
  get type(): string {
    return this.tree.names.type(this.tree.typeIds[this.index]);
  }
  get isNamed(): boolean {
    return this.tree.names.isNamed(this.tree.typeIds[this.index]);
  }
  get startIndex(): number {
    return this.tree.starts[this.index];
  }
  get endIndex(): number {
    return this.tree.ends[this.index];
  }
  get text(): string {
    return this.tree.source.slice(this.tree.starts[this.index], this.tree.ends[this.index]);
  }
  get startPosition(): Point {
    return this.tree.position(this.tree.starts[this.index]);
  }
  get endPosition(): Point {
    return this.tree.position(this.tree.ends[this.index]);
  }
  get hasError(): boolean {
    return (this.tree.flags[this.index] & 2) !== 0;
  }
  get isMissing(): boolean {
    return (this.tree.flags[this.index] & 1) !== 0;
  }
  get parent(): FlatNode | null {
    const p = this.tree.parents[this.index];
    return p < 0 ? null : this.tree.node(p);
  }
  get children(): FlatNode[] {
    return (this.childList ??= this.tree.childIndices(this.index).map((c) => this.tree.node(c)));
  }
  get namedChildren(): FlatNode[] {
    return (this.namedList ??= this.children.filter((c) => c.isNamed));
  }
  get childCount(): number {
    return this.children.length;
  }
  get namedChildCount(): number {
    return this.namedChildren.length;
  }
  get lastChild(): FlatNode | null {
    return this.children.at(-1) ?? null;
  }
  get firstNamedChild(): FlatNode | null {
    return this.namedChildren[0] ?? null;
  }
  get previousNamedSibling(): FlatNode | null {
    const siblings = this.parent?.children ?? [];
    for (let k = siblings.indexOf(this) - 1; k >= 0; k--) if (siblings[k].isNamed) return siblings[k];
    return null;
  }
  child(index: number): FlatNode | null {
    return this.children[index] ?? null;
  }
  childForFieldName(name: string): FlatNode | null {
    const field = this.tree.names.fieldId(name);
    if (field === 0 || this.tree.subtreeEnds[this.index] === this.index + 1) return null;
    for (let c = this.index + 1; c !== -1; c = this.tree.nextSiblings[c]) if (this.tree.fieldIds[c] === field) return this.tree.node(c);
    return null;
  }
  childrenForFieldName(name: string): FlatNode[] {
    const field = this.tree.names.fieldId(name);
    if (field === 0) return [];
    return this.children.filter((c) => this.tree.fieldIds[c.index] === field);
  }
  descendantsOfType(types: string | string[]): FlatNode[] {
    const { tree } = this;
    const wanted = tree.names.typeIdsOf(typeof types === 'string' ? [types] : types);
    const out: FlatNode[] = [];
    for (let i = this.index, end = tree.subtreeEnds[this.index]; i < end; ) {
      // As tree-sitter's walk does, a node that ends at the file's start is passed over, with its subtree.
      if (tree.ends[i] === 0) {
        i = tree.subtreeEnds[i];
        continue;
      }
      if (wanted.has(tree.typeIds[i])) out.push(tree.node(i));
      i++;
    }
    return out;
  }
  descendantForIndex(start: number, end = start): FlatNode {
    return this.tree.node(this.tree.descendantFor(this.index, start, end, false));
  }
  namedDescendantForIndex(start: number, end = start): FlatNode {
    return this.tree.node(this.tree.descendantFor(this.index, start, end, true));
  }
  descendantForPosition(point: Point): FlatNode {
    const at = this.tree.indexOf(point);
    return this.descendantForIndex(at, at);
  }
}
