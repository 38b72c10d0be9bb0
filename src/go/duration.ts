import type { SyntaxNode } from './tree.js';
import type { GoFile, Package } from '../engine/types.js';
import { isAssignedTo } from './escape.js';
import { objectOf, usesOf, type GoObject } from './model/names.js';
import { fileOfNode } from './model/types.js';
import { unparen } from './syntax.js';

const UNIT_NANOS: Record<string, number> = {
  Nanosecond: 1,
  Microsecond: 1e3,
  Millisecond: 1e6,
  Second: 1e9,
  Minute: 60e9,
  Hour: 3600e9,
};

/**
 * The value in nanoseconds of a duration the package fixes: literals, time units
 * (`100 * time.Millisecond`, `time.Second / 2`), and names bound to such a value once — a
 * constant, or a variable nothing assigns again (`timeout := time.Second`). Null otherwise.
 */
export function durationOf(pkg: Package, file: GoFile, expr: SyntaxNode, depth = 0): number | null {
  if (depth > 8) return null;
  const e = unparen(expr);
  const sub = (n: SyntaxNode | null) => (n ? durationOf(pkg, file, n, depth + 1) : null);
  switch (e.type) {
    case 'int_literal':
    case 'float_literal': {
      const n = Number(e.text.replace(/_/g, ''));
      return Number.isFinite(n) ? n : null;
    }
    case 'selector_expression': {
      const operand = e.childForFieldName('operand');
      const unit = e.childForFieldName('field')?.text ?? '';
      if (operand?.type !== 'identifier') return null;
      const obj = objectOf(pkg, file, operand);
      return obj?.kind === 'import' && obj.importPath === 'time' ? (UNIT_NANOS[unit] ?? null) : null;
    }
    case 'identifier': {
      const obj = objectOf(pkg, file, e);
      if (!obj) return file.imports.dotImports.has('time') ? (UNIT_NANOS[e.text] ?? null) : null;
      const value = boundOnce(pkg, obj);
      return value ? durationOf(pkg, obj.file ?? fileOfNode(pkg, value), value, depth + 1) : null;
    }
    case 'binary_expression': {
      const a = sub(e.childForFieldName('left'));
      const b = sub(e.childForFieldName('right'));
      if (a === null || b === null) return null;
      switch (e.childForFieldName('operator')?.text) {
        case '*':
          return a * b;
        case '/':
          return b === 0 ? null : a / b;
        case '+':
          return a + b;
        case '-':
          return a - b;
        default:
          return null;
      }
    }
    case 'call_expression':
    case 'type_conversion_expression': {
      // time.Duration(100) * time.Millisecond
      const fn = (e.childForFieldName('function') ?? e.childForFieldName('type'))?.text;
      const args = e.type === 'call_expression' ? (e.childForFieldName('arguments')?.namedChildren ?? []) : [e.childForFieldName('operand')];
      return fn && /(^|\.)Duration$/.test(fn) && args.length === 1 ? sub(args[0] ?? null) : null;
    }
    default:
      return null;
  }
}

/** The value a constant, or a variable never assigned after its declaration, is bound to. */
function boundOnce(pkg: Package, obj: GoObject): SyntaxNode | null {
  const decl = obj.decl;
  if (obj.kind !== 'const' && obj.kind !== 'var') return null;
  let value: SyntaxNode | null = null;
  if (decl?.type === 'const_spec' || decl?.type === 'var_spec') value = decl.childForFieldName('value')?.namedChildren[obj.index] ?? null;
  else if (decl?.type === 'short_var_declaration') value = decl.childForFieldName('right')?.namedChildren[obj.index] ?? null;
  if (!value || obj.kind === 'const') return value;
  const mutated = usesOf(pkg, obj).some((u) => {
    const p = u.parent;
    return isAssignedTo(u) || p?.type === 'inc_statement' || p?.type === 'dec_statement' || (p?.type === 'unary_expression' && p.child(0)?.type === '&');
  });
  return mutated ? null : value;
}

/** A duration as Go prints it (time.Duration.String): 500ms, 30s, 1m30s, 2h0m0s. */
export function formatDuration(nanos: number): string {
  if (nanos < 0) return `-${formatDuration(-nanos)}`;
  if (nanos === 0) return '0s';
  const trim = (n: number) => String(Number(n.toFixed(9)));
  if (nanos < 1e3) return `${trim(nanos)}ns`;
  if (nanos < 1e6) return `${trim(nanos / 1e3)}µs`;
  if (nanos < 1e9) return `${trim(nanos / 1e6)}ms`;
  const h = Math.floor(nanos / 3600e9);
  const m = Math.floor((nanos - h * 3600e9) / 60e9);
  const s = trim((nanos - h * 3600e9 - m * 60e9) / 1e9);
  if (h) return `${h}h${m}m${s}s`;
  if (m) return `${m}m${s}s`;
  return `${s}s`;
}
