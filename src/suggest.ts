/** Edit distance with adjacent transpositions (optimal string alignment). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The known word closest to `word`, when it is close enough to be a slip (at most a third
 * of its letters wrong) or `word` is a prefix or a dash-part of it; else null.
 */
export function closest(word: string, known: Iterable<string>): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  const w = word.toLowerCase();
  for (const k of known) {
    const n = distance(w, k.toLowerCase());
    if (n < bestDistance) {
      best = k;
      bestDistance = n;
    }
  }
  if (best !== null && bestDistance <= Math.max(1, Math.floor(word.length / 3))) return best;
  for (const k of known) if (w.length >= 3 && (k.startsWith(w) || k.split('-').includes(w))) return k;
  return null;
}

/** ` (did you mean "x"?)` or nothing. */
export function didYouMean(word: string, known: Iterable<string>): string {
  const hit = closest(word, known);
  return hit === null ? '' : ` (did you mean "${hit}"?)`;
}
