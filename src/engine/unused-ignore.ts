import type { Described } from './types.js';

export const UNUSED_IGNORE_ID = 'unused-ignore';

/** The check of suppression comments: described like a rule, run by the engine itself. */
export const unusedIgnore: Described = {
  meta: {
    id: UNUSED_IGNORE_ID,
    title: 'a suppression comment silences no finding',
    why:
      'With --report-unused-ignores (or report-unused-ignores: true in the config), a //goleak-lint:ignore or ' +
      '//nolint:goleak-lint comment that silences no finding is reported as a note. Such a comment outlives the ' +
      'code it was written for, and would hide the next finding on its line without anyone deciding so. A comment ' +
      'is judged only when every rule it names ran.',
    fix: 'Remove the comment, or move it to the line of the finding it was meant for.',
    example: {
      bad: ['func poll() {', '\t//goleak-lint:ignore unstopped-ticker stopped in Close', '\tfmt.Println("no ticker here")', '}'].join('\n'),
      good: ['func poll() {', '\tfmt.Println("no ticker here")', '}'].join('\n'),
    },
    severity: 'note',
    precision: 'very-high',
    tags: ['suppression'],
    kind: 'suppression',
  },
};
