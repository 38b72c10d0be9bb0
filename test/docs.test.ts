import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { expectedDocs } from '../scripts/docs.js';
import { allRules } from '../rules/index.js';

it('README rule table and docs/rules/*.md match the rules metadata (npm run docs)', () => {
  for (const [file, content] of expectedDocs()) assert.equal(readFileSync(file, 'utf8'), content, file);
});

it('every rule has complete metadata', () => {
  for (const { meta } of allRules) {
    assert.match(meta.id, /^[a-z]+(-[a-z0-9]+)*$/);
    assert.ok(meta.title.length > 0 && meta.title.length <= 60, `${meta.id}: title of ${meta.title.length} chars`);
    for (const field of [meta.why, meta.fix, meta.example.bad, meta.example.good]) assert.ok(field.trim().length > 20, meta.id);
    assert.ok(meta.tags.length > 0 && meta.tags.length <= 20, meta.id);
    assert.ok(meta.inTests, `${meta.id}: states its test-code policy`);
  }
});
