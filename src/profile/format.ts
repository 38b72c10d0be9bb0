/** Numbers as the report prints them: 48.2 MiB, 12,403, 37%. */
import type { ProfileSummary } from './types.js';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number): string {
  const sign = bytes < 0 ? '-' : '';
  let v = Math.abs(bytes);
  let unit = 0;
  while (v >= 1024 && unit < UNITS.length - 1) {
    v /= 1024;
    unit++;
  }
  return `${sign}${unit === 0 ? v : v.toFixed(1)} ${UNITS[unit]}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** A share in 0..1 as a percentage: whole numbers from 1%, one decimal below. */
export function formatShare(share: number): string {
  const pct = share * 100;
  // 99.7% stays 99.7%: rounding it up to 100% would say that nothing else is there.
  if (pct >= 99.5 && pct < 100) return `${Math.min(pct, 99.9).toFixed(1)}%`;
  if (pct >= 1 || pct === 0) return `${Math.round(pct)}%`;
  return `${pct < 0.1 ? '<0.1' : pct.toFixed(1)}%`;
}

/**
 * The report's line about one profile: its total, how much of it the linted tree's code
 * holds, how much the findings explain, and how many of its file names were matched.
 */
export function describeProfile(p: ProfileSummary): string {
  const amount = (v: number) => (p.kind === 'heap' ? formatBytes(v) : `${formatCount(v)}`);
  const part = (v: number) => `${amount(v)} (${formatShare(p.total > 0 ? Math.max(0, v) / p.total : 0)})`;
  const what =
    p.kind === 'heap'
      ? p.base
        ? `heap growth over ${p.base}: +${formatBytes(p.total)}`
        : `heap: ${formatBytes(p.total)} in use`
      : `${p.kind === 'goroutineleak' ? 'leaked goroutines' : 'goroutines'}${p.base ? ` grown over ${p.base}: +` : ': '}${formatCount(p.total)}`;
  return (
    `profile ${p.profile}: ${what}; ${part(p.inTree)} on stacks through the linted code, ` +
    `${part(p.explained)} explained by the findings; ${p.filesMapped} of ${p.filesMapped + p.filesUnmapped} source files in the profile matched`
  );
}
