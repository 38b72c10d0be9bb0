/**
 * action.yml's shell steps, run here as the runner would run them: `${{ }}` expressions
 * substituted (inputs with their defaults, github.action_path, earlier steps' outputs),
 * each step's env, working-directory and its own GITHUB_OUTPUT file, `bash -eo pipefail`.
 * The install step runs once, from a copy of this working tree, into a temporary npm
 * prefix. The `uses:` steps (setup-node, upload-sarif) belong to GitHub and are not run;
 * the upload step's inputs are checked instead.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { copyOfWorkingTree, pollSource, repoRoot, tempTree, validateSarif } from './helpers.js';

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  shell?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
  'working-directory'?: string;
}

interface Action {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parse(readFileSync(path.join(repoRoot, 'action.yml'), 'utf8')) as Action;
const hasNpm = spawnSync('npm', ['--version']).status === 0;

interface Context {
  inputs: Record<string, string>;
  actionPath: string;
  workspace: string;
  env: NodeJS.ProcessEnv;
  outputs: Map<string, Record<string, string>>;
}

/** Substitutes the expressions action.yml uses in values; any other expression is an error. */
function expand(text: string, ctx: Context): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expr: string) => {
    let m: RegExpExecArray | null;
    if ((m = /^inputs\.([\w-]+)$/.exec(expr))) {
      assert.ok(m[1] in action.inputs, `action.yml uses undeclared input ${m[1]}`);
      return ctx.inputs[m[1]];
    }
    if (expr === 'github.action_path') return ctx.actionPath;
    if ((m = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expr))) return ctx.outputs.get(m[1])?.[m[2]] ?? '';
    throw new Error(`expression the test does not know: ${expr}`);
  });
}

function readOutputs(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** Runs one `run:` step; returns its exit status and output. */
function runStep(step: Step, ctx: Context) {
  assert.equal(step.shell, 'bash', `step ${step.name ?? step.id}: composite run steps need shell: bash`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'goleak-lint-step-'));
  try {
    const script = path.join(dir, 'step.sh');
    const output = path.join(dir, 'output');
    writeFileSync(script, expand(step.run ?? '', ctx));
    writeFileSync(output, '');
    const env: NodeJS.ProcessEnv = { ...ctx.env, GITHUB_OUTPUT: output, GITHUB_ACTION_PATH: ctx.actionPath, GITHUB_WORKSPACE: ctx.workspace };
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = expand(String(v), ctx);
    const cwd = path.resolve(ctx.workspace, expand(step['working-directory'] ?? '.', ctx));
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd, env, encoding: 'utf8', timeout: 300_000 });
    if (step.id) ctx.outputs.set(step.id, readOutputs(output));
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const steps = action.runs.steps;
const installStep = steps.find((s) => s.name === 'Install goleak-lint');
const lintStep = steps.find((s) => s.id === 'lint');
const uploadStep = steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));

function defaults(): Record<string, string> {
  return Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, v.default ?? '']));
}

describe('action.yml', () => {
  it('is a composite action: setup-node, install from its own checkout, lint, optional upload', () => {
    assert.equal(action.runs.using, 'composite');
    assert.match(steps[0].uses ?? '', /^actions\/setup-node@/);
    assert.ok(installStep && lintStep && uploadStep);
    assert.match(installStep.run ?? '', /"\$GITHUB_ACTION_PATH"/);
    assert.deepEqual(Object.keys(action.inputs).sort(), ['fail-level', 'format', 'node-version', 'patterns', 'profile', 'sarif-file', 'upload-sarif', 'working-directory']);
    assert.equal(uploadStep.with?.sarif_file, '${{ steps.lint.outputs.sarif-file }}');
    assert.match(uploadStep.if ?? '', /inputs\.upload-sarif == 'true'/);
  });

  describe('its shell steps', { skip: hasNpm ? false : 'npm is not on PATH: the install step cannot run' }, () => {
    let root = '';
    let env: NodeJS.ProcessEnv = {};
    let actionPath = '';

    before(() => {
      root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'goleak-lint-action-')));
      actionPath = copyOfWorkingTree(path.join(root, 'action'));
      const prefix = path.join(root, 'prefix');
      env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
      Object.assign(env, {
        PATH: `${path.join(prefix, 'bin')}${path.delimiter}${process.env.PATH}`,
        npm_config_prefix: prefix,
        npm_config_prefer_offline: 'true',
      });
      const ctx: Context = { inputs: defaults(), actionPath, workspace: root, env, outputs: new Map() };
      const r = runStep(installStep as Step, ctx);
      assert.equal(r.status, 0, `install step failed:\n${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /\nparser: (native|wasm) /);
    });
    after(() => rmSync(root, { recursive: true, force: true }));

    function lint(workspace: string, inputs: Record<string, string>) {
      const ctx: Context = { inputs: { ...defaults(), ...inputs }, actionPath, workspace, env, outputs: new Map() };
      const r = runStep(lintStep as Step, ctx);
      const outputs = Object.fromEntries(Object.entries(action.outputs).map(([k, v]) => [k, expand(v.value, ctx)]));
      return { ...r, outputs, upload: expand(uploadStep?.with?.sarif_file ?? '', ctx) };
    }

    it('with the defaults: annotations, SARIF written, exit 1 on a warning', (t) => {
      const tree = tempTree(t);
      tree.goMod('.', '1.21');
      tree.write('svc/poll.go', pollSource());
      const r = lint(tree.dir, {});
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stdout, /^::warning file=svc\/poll\.go,line=6,/m);
      const sarif = tree.path('goleak-lint.sarif');
      assert.deepEqual(r.outputs, { 'sarif-file': sarif, 'exit-code': '1' });
      assert.equal(r.upload, sarif);
      const log = validateSarif(readFileSync(sarif, 'utf8'));
      assert.deepEqual(log.runs[0].results.map((x: { ruleId: string }) => x.ruleId), ['unstopped-ticker']);
    });

    it('fail-level error: the warning passes, the SARIF still lists it; patterns and the file name are inputs', (t) => {
      const tree = tempTree(t);
      tree.goMod('.', '1.21');
      tree.write('svc/poll.go', pollSource());
      tree.write('other/poll.go', pollSource('other'));
      const r = lint(tree.dir, { 'fail-level': 'error', format: 'text', patterns: 'svc', 'sarif-file': 'out/leaks.sarif' });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^svc\/poll\.go:6:7: /m);
      assert.deepEqual(r.outputs, { 'sarif-file': tree.path('out/leaks.sarif'), 'exit-code': '0' });
      const log = validateSarif(readFileSync(tree.path('out/leaks.sarif'), 'utf8'));
      assert.deepEqual(log.runs[0].results.map((x: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) => x.locations[0].physicalLocation.artifactLocation.uri), ['svc/poll.go']);
    });

    it('profile: findings the heap profile ranks high become errors and fail at fail-level error', () => {
      const inputs = { 'working-directory': 'examples', 'fail-level': 'error', format: 'text', 'sarif-file': path.join(root, 'examples.sarif') };
      const plain = lint(actionPath, inputs);
      assert.equal(plain.status, 0, plain.stderr);
      const ranked = lint(actionPath, { ...inputs, profile: 'leakysvc/profiles/heap.pb.gz\n' });
      assert.equal(ranked.status, 1, ranked.stderr);
      assert.match(ranked.stdout, /^6 findings \(5 errors, 1 warning\)/m);
      assert.equal(ranked.outputs['exit-code'], '1');
    });

    it('a pattern that matches nothing: exit 2, no SARIF output', (t) => {
      const tree = tempTree(t);
      tree.goMod('.', '1.21');
      const r = lint(tree.dir, { patterns: './nothing/...' });
      assert.equal(r.status, 2);
      assert.equal(existsSync(tree.path('goleak-lint.sarif')), false);
      assert.deepEqual(r.outputs, { 'sarif-file': '', 'exit-code': '2' });
    });
  });
});
