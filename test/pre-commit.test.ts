/**
 * The hooks in .pre-commit-hooks.yaml, installed and run by the real `pre-commit` tool
 * (Debian's package; .ci/run installs it) from a snapshot of this working tree, the way
 * a user's `.pre-commit-config.yaml` pulls them: language node, npm install from a clone.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { copyOfWorkingTree, git, pollSource, tempTree, type GoTree } from './helpers.js';

const hasPreCommit = spawnSync('pre-commit', ['--version']).status === 0;

function run(cwd: string, cmd: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 600_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** This working tree's files (tracked and new, not ignored) as a one-commit repository. */
function snapshotOfThisRepository(tree: GoTree): string {
  const dir = copyOfWorkingTree(tree.path('goleak-lint'));
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'snapshot');
  return dir;
}

function config(tool: string, hooks: string[]): string {
  const rev = git(tool, 'rev-parse', 'HEAD').trim();
  return ['repos:', `  - repo: ${tool}`, `    rev: ${rev}`, '    hooks:', ...hooks.map((h) => `      - id: ${h}`), ''].join('\n');
}

describe('pre-commit hooks', { skip: hasPreCommit ? false : 'pre-commit is not installed (CI installs it)' }, () => {
  it('refuse a commit that adds a leak, accept the fix, and the changed-files hook ignores old debt', (t) => {
    const tree = tempTree(t);
    const tool = snapshotOfThisRepository(tree);
    const app = tree.path('app');
    const env = {
      PRE_COMMIT_HOME: tree.path('pre-commit-home'),
      // Reuse what npm has cached; nothing here needs the newest metadata.
      npm_config_prefer_offline: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
    };
    tree.goMod('app', '1.21');
    tree.write('app/poll.go', pollSource('app'));
    tree.write('app/.pre-commit-config.yaml', config(tool, ['goleak-lint', 'goleak-lint-changed']));
    git(app, 'init', '-q');
    assert.equal(run(app, 'pre-commit', ['install'], env).status, 0);
    git(app, 'add', '-A');

    const refused = run(app, 'git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-m', 'leak'], env);
    assert.notEqual(refused.status, 0, refused.out);
    const reported = refused.out.split('\n').filter((l) => l.startsWith('poll.go:6:7: warning: a ticker per call of Poll, held in t, is never stopped'));
    assert.equal(reported.length, 2, `both hooks must report the leak:\n${refused.out}`);

    tree.write('app/poll.go', pollSource('app', 'Poll', true));
    git(app, 'add', '-A');
    const accepted = run(app, 'git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-m', 'fixed'], env);
    assert.equal(accepted.status, 0, accepted.out);

    // Old debt committed without the hooks; then only the changed-files hook runs.
    tree.write('app/legacy.go', pollSource('app', 'Legacy'));
    tree.write('app/.pre-commit-config.yaml', config(tool, ['goleak-lint-changed']));
    git(app, 'add', '-A');
    git(app, 'commit', '-q', '--no-verify', '-m', 'debt');
    tree.write('app/clean.go', pollSource('app', 'Clean', true));
    git(app, 'add', 'clean.go');
    const changedOnly = run(app, 'git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-m', 'clean'], env);
    assert.equal(changedOnly.status, 0, changedOnly.out);
    assert.match(changedOnly.out, /goleak-lint \(staged files\)\.+Passed/);
  });
});
