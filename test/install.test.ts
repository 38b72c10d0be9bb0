/**
 * The package as a user installs it: `npm pack`, then `npm install -g` of the tarball into
 * a temporary prefix on a PATH with no compiler, make or Python (as on a machine without
 * build tools, where the native tree-sitter module cannot be built and the WebAssembly
 * parser takes over), then `goleak-lint --version` and a lint of examples/ from that PATH.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { assertExit, repoRoot, runCli, tempTree } from './helpers.js';

const hasNpm = spawnSync('npm', ['--version'], { encoding: 'utf8' }).status === 0;

/** What building a native module needs: C and C++ compilers, make, Python (node-gyp). */
const BUILD_TOOL = /^(cc|c\+\+|gcc|g\+\+|cpp|clang|clang\+\+|make|gmake|python|python3(\.\d+)?|[\w-]+-linux-gnu-(gcc|g\+\+|cpp|c\+\+)(-\d+)?)(-\d+)?$/;

/** A directory of links to every program on PATH except the build tools. */
function pathWithoutBuildTools(dir: string): string {
  mkdirSync(dir);
  for (const from of (process.env.PATH ?? '').split(path.delimiter)) {
    let names: string[];
    try {
      names = readdirSync(from);
    } catch {
      continue;
    }
    for (const name of names) {
      if (BUILD_TOOL.test(name) || existsSync(path.join(dir, name))) continue;
      symlinkSync(path.join(from, name), path.join(dir, name));
    }
  }
  return dir;
}

/** The environment of an install a user starts: no npm settings inherited from an `npm test` around us. */
function userEnv(PATH: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, PATH, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' };
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 300_000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error, signal: r.signal };
}

describe('install', { skip: hasNpm ? false : 'npm is not on PATH: cannot pack or install the package' }, () => {
  it('a packed tarball installs with no build tools and lints from its PATH', (t) => {
    const tmp = tempTree(t);
    const bin = pathWithoutBuildTools(tmp.path('bin'));
    const env = userEnv(bin);
    for (const tool of ['cc', 'g++', 'make', 'python3']) {
      assert.notEqual(run(tool, ['--version'], tmp.dir, env).status, 0, `${tool} is still reachable`);
    }

    // dist/ is what `npm test` just built; packing it as it is keeps this test from rebuilding.
    const pack = run('npm', ['pack', '--ignore-scripts', '--pack-destination', tmp.dir], repoRoot, env);
    assertExit(pack, 0);
    const tarball = path.join(tmp.dir, pack.stdout.trim().split('\n').pop() ?? '');
    assert.match(tarball, /goleak-lint-\d+\.\d+\.\d+\.tgz$/);

    const prefix = tmp.path('prefix');
    const install = run('npm', ['install', '--global', '--prefix', prefix, tarball], tmp.dir, env);
    assertExit(install, 0);
    const installed = path.join(prefix, 'lib/node_modules/goleak-lint');
    for (const file of ['dist/src/cli.js', 'dist/src/parser/wasm.js', 'dist/rules/index.js', 'README.md', 'package.json']) {
      assert.ok(existsSync(path.join(installed, file)), `the tarball lacks ${file}`);
    }
    for (const wasm of ['web-tree-sitter/tree-sitter.wasm', 'tree-sitter-go/tree-sitter-go.wasm']) {
      assert.ok(existsSync(path.join(installed, 'node_modules', wasm)), `the install lacks ${wasm}`);
    }

    const userPath = `${path.join(prefix, 'bin')}${path.delimiter}${bin}`;
    const version = run('goleak-lint', ['--version'], tmp.dir, { ...env, PATH: userPath });
    assertExit(version, 0);
    assert.match(version.stdout, /^\d+\.\d+\.\d+\nparser: (native \(tree-sitter|wasm \(web-tree-sitter) \d+\.\d+\.\d+\)\n$/);

    const examples = path.join(repoRoot, 'examples');
    const lint = run('goleak-lint', ['--no-cache', '--color', 'never', './...'], examples, { ...env, PATH: userPath });
    const fromRepo = runCli(['--no-cache', '--color', 'never', './...'], { cwd: examples });
    assertExit(lint, 1);
    assert.match(lint.stdout, /\n6 findings \(6 warnings\) in 2 packages \(5 files\)\n$/);
    assert.equal(lint.stdout, fromRepo.stdout);
    assert.equal(lint.stderr, '');
  });
});
