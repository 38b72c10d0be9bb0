/**
 * A one-line diagnostic about the run rather than the code: a file skipped or linted in
 * part, a bad suppression comment, a note about the settings. Kept structured so each
 * output format can place it (GitHub annotations, JSON objects); `file` is relative to the
 * working directory, as finding paths are.
 */
export interface Warning {
  file?: string;
  line?: number;
  column?: number;
  message: string;
}

/** Why a file that was asked for was not linted: what the run's summary counts. */
export type SkipReason = 'generated' | 'too-large' | 'nul-bytes' | 'no-package' | 'unreadable';

export type SkipCounts = Partial<Record<SkipReason, number>>;

/** `file:line:col: message`, the shape of the text output, with what is known. */
export function warningText(w: Warning): string {
  if (w.file === undefined) return w.message;
  const at = [w.file, w.line, w.line === undefined ? undefined : w.column].filter((x) => x !== undefined).join(':');
  return `${at}: ${w.message}`;
}

/** Sorted by their text, each once. */
export function sortWarnings(warnings: Warning[]): Warning[] {
  const byText = new Map(warnings.map((w) => [warningText(w), w]));
  return [...byText.keys()].sort().map((k) => byText.get(k)!);
}

export function addSkip(counts: SkipCounts, reason: SkipReason, n = 1): void {
  counts[reason] = (counts[reason] ?? 0) + n;
}

/** Per reason: what the files are, and what to do about them. */
const SKIPPED: Record<SkipReason, [string, string]> = {
  generated: ['generated', ' (marked "Code generated ... DO NOT EDIT."; --generated lints them)'],
  'too-large': ['over the size limit', ' (--max-file-size raises it)'],
  'nul-bytes': ['with NUL bytes', ' (not Go source)'],
  'no-package': ['without a package clause', ''],
  unreadable: ['that could not be read', ''],
};

/** When no file was linted: one line per reason the files asked for were skipped, with a count. */
export function skippedSummary(skipped: SkipCounts): string[] {
  return (Object.keys(SKIPPED) as SkipReason[])
    .filter((r) => skipped[r])
    .map((r) => {
      const n = skipped[r]!;
      const [what, hint] = SKIPPED[r];
      const files = n === 1 ? 'file' : 'files';
      return `no file linted: skipped ${n} ${r === 'generated' ? `${what} ${files}` : `${files} ${what}`}${hint}`;
    });
}
