import type { RuleMeta } from '../engine/types.js';

/**
 * A check that the profile ranker makes, not the syntax rules: it has metadata (for
 * `rules`, `explain`, the docs and SARIF) but no check over Go syntax, so it stays out of
 * rules/ and runs only when a profile is given.
 */
export interface ProfileRule {
  meta: RuleMeta;
}

export const heapHotspot: ProfileRule = {
  meta: {
    id: 'heap-hotspot',
    title: 'heap profile: memory held here that no rule explains',
    why:
      'With a heap profile (--profile), the allocation sites in the linted code that hold the most memory in use ' +
      '(or, with --profile-base, whose memory grew the most) and that no finding covers are reported as notes. ' +
      'A leak the rules cannot see — a cache keyed by request, a slice that only grows, a buffer kept by a ' +
      'long-lived struct — shows up here as a site whose memory keeps growing between two profiles. When the ' +
      "package model sees what keeps the memory (the value allocated here flows into a map, a slice or a field), " +
      'the note names it, and says when the package bounds it; a growing container that holds more than the ' +
      'threshold is reported by its rule instead, even where a heuristic had judged it harmless.',
    fix:
      'Read what the code at the site allocates and who keeps it: bound the cache (size limit, TTL, LRU), ' +
      'delete entries when done, drop references to large buffers. Compare two profiles with --profile-base ' +
      'to tell a leak (grows) from a working set (steady).',
    example: {
      bad: [
        'var sessions = map[string]*Session{}',
        '',
        'func login(id string) {',
        '\tsessions[id] = newSession(id) // every login stays in memory',
        '}',
      ].join('\n'),
      good: [
        'var sessions = lru.New[string, *Session](10_000)',
        '',
        'func login(id string) {',
        '\tsessions.Add(id, newSession(id)) // the oldest are evicted',
        '}',
      ].join('\n'),
    },
    severity: 'note',
    kind: 'profile',
    precision: 'low',
    tags: ['profile', 'memory'],
  },
};

export const goroutineHotspot: ProfileRule = {
  meta: {
    id: 'goroutine-hotspot',
    title: 'goroutine profile: goroutines parked here, no rule says why',
    why:
      'With a goroutine profile (--profile of /debug/pprof/goroutine), the places in the linted code where many goroutines are parked ' +
      '(at least 10, and more than --profile-threshold of all goroutines) and that no finding covers are reported ' +
      'as notes. Thousands of goroutines waiting at one line are usually a leak: blocked on a channel nobody ' +
      'will use again, a lock never released, or a connection nobody reads.',
    fix:
      'Find what should wake the goroutines parked at the site (a send, a receive, a close, a cancel, an unlock) ' +
      'and make sure it happens on every path, or give them a way out (select on ctx.Done()).',
    example: {
      bad: [
        'func handle(req Request) {',
        '\tresults := make(chan Result)',
        '\tgo func() { results <- work(req) }() // parked forever when nobody reads',
        '\tif req.Async {',
        '\t\treturn',
        '\t}',
        '\tuse(<-results)',
        '}',
      ].join('\n'),
      good: [
        'func handle(req Request) {',
        '\tresults := make(chan Result, 1) // the send never blocks',
        '\tgo func() { results <- work(req) }()',
        '\tif req.Async {',
        '\t\treturn',
        '\t}',
        '\tuse(<-results)',
        '}',
      ].join('\n'),
    },
    severity: 'note',
    kind: 'profile',
    precision: 'low',
    tags: ['profile', 'goroutine'],
  },
};

export const goroutineLeakHotspot: ProfileRule = {
  meta: {
    id: 'goroutine-leak-hotspot',
    title: 'goroutine leak profile: goroutines leaked here, no rule says why',
    why:
      "With Go's goroutine leak profile (--profile of /debug/pprof/goroutineleak: Go 1.26 built with " +
      'GOEXPERIMENT=goroutineleakprofile, Go 1.27 and later by default), the places in the linted code where ' +
      'leaked goroutines block (more than --profile-threshold of them; with --profile-base, of those leaked since the ' +
      'base) and that no finding covers are reported. The garbage collector found these goroutines blocked on a ' +
      'channel or lock that no running goroutine can reach: nothing can ever wake them, and each keeps its stack ' +
      'and everything it references. The rules missed them, typically because the channel came through an ' +
      'interface, a callback or another package.',
    fix:
      'Find the channel or lock the goroutines wait on and who should have used it: send, close or unlock it on ' +
      'every path, buffer a channel whose reader may leave, or give the goroutine a way out (select on ctx.Done()).',
    example: {
      bad: [
        'func subscribe(w Waiter) {',
        '	go func() {',
        '		<-w.Wait() // nothing ever closes the channel: leaked',
        '		cleanup()',
        '	}()',
        '}',
      ].join('\n'),
      good: [
        'func subscribe(ctx context.Context, w Waiter) {',
        '	go func() {',
        '		select {',
        '		case <-w.Wait():',
        '		case <-ctx.Done(): // the caller can always let it go',
        '		}',
        '		cleanup()',
        '	}()',
        '}',
      ].join('\n'),
    },
    severity: 'error',
    kind: 'profile',
    precision: 'very-high',
    tags: ['profile', 'goroutine'],
  },
};

/** The profile-driven checks, in the order `goleak-lint rules` lists them (after the rules). */
export const profileRules: ProfileRule[] = [heapHotspot, goroutineHotspot, goroutineLeakHotspot];
