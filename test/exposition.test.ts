import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHelp, escapeLabelValue, formatValue, renderExposition } from '../src/framework/exposition';

test('renderExposition: sorted families and samples, HELP/TYPE once, final newline', () => {
  const text = renderExposition([
    { name: 'b_metric', help: 'B.', type: 'gauge', labelNames: ['x'], samples: [{ labels: { x: 'z' }, value: 2 }, { labels: { x: 'a' }, value: 1 }] },
    { name: 'a_metric', help: 'A.', type: 'gauge', labelNames: [], samples: [{ labels: {}, value: 0.5 }] },
    { name: 'c_empty', help: 'C.', type: 'gauge', labelNames: [], samples: [] },
  ]);
  assert.equal(text, '# HELP a_metric A.\n# TYPE a_metric gauge\na_metric 0.5\n# HELP b_metric B.\n# TYPE b_metric gauge\nb_metric{x="a"} 1\nb_metric{x="z"} 2\n');
});

test('escaping: label values and HELP', () => {
  assert.equal(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
  assert.equal(escapeHelp('a\\b"c\nd'), 'a\\\\b"c\\nd'); // a quote in HELP stays bare (\" is invalid there)
});

test('formatValue: Go ParseFloat spellings', () => {
  assert.deepEqual([NaN, Infinity, -Infinity, 0, -0, 1e21, 0.00006105, 2000478464].map(formatValue), ['NaN', '+Inf', '-Inf', '0', '0', '1e+21', '0.00006105', '2000478464']);
});

test('renderExposition rejects what node_exporter would reject or crash on', () => {
  const fam = (name: string, labelNames: string[], labels: Record<string, string>[]) =>
    ({ name, help: 'h', type: 'gauge' as const, labelNames, samples: labels.map((l) => ({ labels: l, value: 1 })) });
  assert.throws(() => renderExposition([fam('a:b', [], [{}])]), /invalid metric name/);
  assert.throws(() => renderExposition([fam('__a', [], [{}])]), /invalid metric name/);
  assert.throws(() => renderExposition([fam('a', ['__x'], [{ __x: '1' }])]), /invalid label name/);
  assert.throws(() => renderExposition([fam('a', ['instance'], [{ instance: '1' }])]), /invalid label name/);
  for (const bad of ['', '1a', 'a-b', 'a b', 'é', 'a.b']) {
    assert.throws(() => renderExposition([fam(bad, [], [{}])]), /invalid metric name/, bad);
    assert.throws(() => renderExposition([fam('a', [bad], [{ [bad]: '1' }])]), /invalid label name/, bad);
  }
  for (const good of ['a', '_', 'A_9', 'rpi_clock_hz', '_a1']) assert.doesNotThrow(() => renderExposition([fam(good, ['l_' + good], [{ ['l_' + good]: '1' }])]), good);
  assert.throws(() => renderExposition([fam('a', ['x'], [{ x: '1' }, { x: '1' }])]), /duplicate series/);
  assert.throws(() => renderExposition([fam('a', ['x'], [{ y: '1' }])]), /do not match/);
  assert.throws(() => renderExposition([fam('a', [], [{}]), fam('a', [], [{}])]), /twice/);
});
