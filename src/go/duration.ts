import type { SyntaxNode } from 'tree-sitter';
import type { ImportTable } from './imports.js';
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
 * The value in nanoseconds of a constant duration expression such as `100 * time.Millisecond`
 * or `time.Second / 2`; null when it is not made of literals and time units alone.
 */
export function constantDuration(expr: SyntaxNode, imports: ImportTable): number | null {
  const e = unparen(expr);
  switch (e.type) {
    case 'int_literal':
    case 'float_literal': {
      const n = Number(e.text.replace(/_/g, ''));
      return Number.isFinite(n) ? n : null;
    }
    case 'selector_expression': {
      const pkg = e.childForFieldName('operand');
      const unit = e.childForFieldName('field')?.text ?? '';
      if (pkg?.type !== 'identifier' || imports.byName.get(pkg.text) !== 'time') return null;
      return UNIT_NANOS[unit] ?? null;
    }
    case 'identifier':
      return imports.dotImports.has('time') ? (UNIT_NANOS[e.text] ?? null) : null;
    case 'binary_expression': {
      const left = e.childForFieldName('left');
      const right = e.childForFieldName('right');
      const op = e.childForFieldName('operator')?.text;
      const a = left ? constantDuration(left, imports) : null;
      const b = right ? constantDuration(right, imports) : null;
      if (a === null || b === null) return null;
      if (op === '*') return a * b;
      if (op === '/') return b === 0 ? null : a / b;
      if (op === '+') return a + b;
      if (op === '-') return a - b;
      return null;
    }
    case 'call_expression': {
      // time.Duration(100) * time.Millisecond
      const fn = e.childForFieldName('function')?.text;
      const args = e.childForFieldName('arguments')?.namedChildren ?? [];
      return fn && /(^|\.)Duration$/.test(fn) && args.length === 1 ? constantDuration(args[0], imports) : null;
    }
    default:
      return null;
  }
}
