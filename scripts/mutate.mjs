// Mutation testing of the code where a bug would cost users the most: each mutant is a small
// change of one expression in one of the targets' functions (an operator, a condition, a
// literal, a flag, a block), the target's tests run against it, and a mutant they do not fail
// on ("survived") is a change of behaviour nothing would notice.
//
//   npm run mutate                      every target (about 15-25 minutes on 2 cores)
//   npm run mutate -- atomic-write      one target (several may be named)
//   npm run mutate -- --list            the mutants, without running anything
//   npm run mutate -- --jobs 1          one mutant at a time (default: the machine's cores)
//
// Mutants are made with TypeScript's parser, from the functions each target names; each runs in
// a private copy of the repository (src/, test/, scripts/ and the rest, node_modules linked), is
// built there as the tests are (scripts/build.mjs --tests) and judged by the target's test files
// (node --test, CI=true so that tests needing a real tool run; PI_TEXTFILE_MUTATING=1, with which the
// few slow tests that read only committed goldens, and the fuzz run, skip). A mutant whose tests fail, or do
// not end within their time limit, is killed. Mutants that cannot change behaviour are listed in
// EQUIVALENT below with the reason, and left out of the score, which is printed per target:
// killed / (mutants - equivalent). The exit status is 1 when a target scores below 90 %.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';

const ROOT = new URL('..', import.meta.url).pathname.replace(/\/$/, '');

/** What is mutated (functions, and the module-level constants they decide by), and which tests judge it. */
const TARGETS = {
  'atomic-write': {
    file: 'src/framework/textfile.ts',
    functions: ['checkOutputDirectory', 'isTempFileFor', 'removeStaleTempFiles', 'refuseWhatIsThere', 'writeAtomically'],
    tests: ['safety', 'faults'],
  },
  'code-cache': {
    file: 'src/launcher.cjs',
    functions: ['textfileDirectory', 'run', 'readCache', 'writeCache'],
    tests: ['code-cache'],
  },
  revision: {
    file: 'src/framework/board.ts',
    functions: ['decodeRevision', 'identifyBoard', 'PROCESSOR_BY_MODEL', 'PI_HARDWARE'],
    tests: ['collectors/board', 'golden'],
  },
  throttled: {
    file: 'src/collectors/throttled.ts',
    functions: ['hasUnderVoltageDetector', 'parseGetThrottled', 'collect', 'NO_UNDERVOLTAGE_DETECTOR', 'MODELS_WITHOUT_DETECTOR'],
    tests: ['collectors/throttled', 'golden'],
  },
  'gen-config-checks': {
    file: 'src/gen-config/checks.ts',
    functions: ['remoteWriteUrlProblem', 'checkCluster', 'fleetChecks', 'alertmanagerChecks', 'addressOf', 'addressPointer', 'nameOf', 'RECEIVER_KINDS', 'RESERVED_TARGET_LABELS', 'DURATION_SYNTAX'],
    tests: ['gen-config', 'gen-config-hostile'],
  },
};

/**
 * Mutants that cannot change what the program does, by id (target: function: original -> mutant
 * #occurrence), each with the reason. Only a mutant shown equivalent belongs here.
 */
const READ_ALL =
  'one read of a regular file returns all of it, so n is its size; a file no longer than the key then fails the key comparison, or hands V8 an empty cache, which it rejects and which is rebuilt as a missing one is';
const WRITES_SOME = 'writeSync of a non-empty buffer to a regular file writes at least one byte or throws: the guard against an endless loop is never reached';
const EQUIVALENT = {
  'gen-config-checks: remoteWriteUrlProblem: ?. ->  #1': 'the URL starts with http:// or https:// (checked just before): the pattern always matches',
  'gen-config-checks: remoteWriteUrlProblem: /^https?:\\/\\/([^/?#]*)/ -> /https?:\\/\\/([^/?#]*)/ #1':
    'the URL starts with http:// or https:// (checked just before): its first match is at the start',
  'gen-config-checks: checkCluster: toLowerCase -> toUpperCase #1': "either folds the host's case, and only equality is asked",
  'gen-config-checks: fleetChecks: /^Invalid regular expression: / -> /Invalid regular expression: / #1':
    "V8's message starts with those words and has them only there",
  "code-cache: run: 'utf8' -> \"\" #1":
    'read without an encoding, the source is a Buffer, which vm.Script turns into the same text (UTF-8)',
  'code-cache: run: cacheFile === null -> false #1':
    'readCache of no file fails to open and answers null, as the check does',
  'code-cache: readCache: fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW -> fs.constants.O_NOFOLLOW #1': 'O_RDONLY is 0 on Linux: the same flags',
  'code-cache: readCache: !st.isFile() || st.uid !== process.geteuid() -> st.uid !== process.geteuid() #1':
    'what is not a regular file gives null further on: a directory cannot be read, a FIFO or a device reports size 0 (no key fits), a socket cannot be opened',
  'code-cache: readCache: n !== st.size || n <= header.length -> false #1': READ_ALL,
  'code-cache: readCache: || -> && #4': READ_ALL,
  'code-cache: readCache: n !== st.size || n <= header.length -> n !== st.size #1': READ_ALL,
  'code-cache: readCache: n !== st.size || n <= header.length -> n <= header.length #1': READ_ALL,
  'code-cache: readCache: <= -> < #1': READ_ALL,
  'code-cache: writeCache: - -> + #1':
    'a regular file takes a short write only when the disk is full, and the next write then fails either way (ENOSPC; an out-of-range length here): the same clean-up',
  'code-cache: writeCache: n <= 0 -> false #1': WRITES_SOME,
  'code-cache: writeCache: <= -> < #1': WRITES_SOME,
  "code-cache: writeCache: 'nothing written' -> \"\" #1": WRITES_SOME,
  'atomic-write: writeAtomically: < -> <= #1':
    'open() never returns descriptor 0 here: Node opens /dev/null on descriptors 0-2 at start when they are closed',
  'atomic-write: writeAtomically: constants.O_RDONLY | (constants.O_DIRECTORY ?? 0) -> (constants.O_DIRECTORY ?? 0) #1':
    'O_RDONLY is 0 on Linux: the same flags',
  "atomic-write: writeAtomically: 'utf8' -> \"\" #1":
    'Node reads an empty encoding as UTF-8: the same bytes (checked with non-ASCII text on Node 18.17 and 20)',
  'throttled: parseGetThrottled: + -> - #1':
    'a shift count is taken modulo 32: for bits 0-3, 1 << (bit - 16) is 1 << (bit + 16)',
  'throttled: MODELS_WITHOUT_DETECTOR: /^Raspberry Pi (Zero( W)? Rev|Compute Module( 3| Rev)|Model  -> /Raspberry Pi (Zero( W)? Rev|Compute Module( 3| Rev)|Model [ #1':
    'the model is read only without a revision code, and then the board is a Pi only if its model starts with "Raspberry Pi": the ^ matches nothing more',
  'revision: decodeRevision: >>> -> >> #1':
    'the code is only ever masked with values below 2^31 afterwards: its sign changes no bit that is read',
  'revision: identifyBoard: isPi -> true #2':
    'a board that is not a Pi has a model that does not start with "Raspberry Pi", which every PROCESSOR_BY_MODEL pattern requires: null either way',
  'revision: PROCESSOR_BY_MODEL: /^Raspberry Pi (Model [AB]|Zero|Compute Module( Rev| 1)?\\b)/ -> /^Raspberry Pi (Model [AB]|Zero|Compute Module( 1)?\\b)/ #1':
    'the group is optional and followed by \\b: "Compute Module" alone matches the same models',
  'revision: PROCESSOR_BY_MODEL: /^Raspberry Pi (Model [AB]|Zero|Compute Module( Rev| 1)?\\b)/ -> /^Raspberry Pi (Model [AB]|Zero|Compute Module( Rev)?\\b)/ #1':
    'the group is optional and followed by \\b: "Compute Module" alone matches the same models',
};

const SWAPS = {
  '===': ['!=='],
  '!==': ['==='],
  '==': ['!='],
  '!=': ['=='],
  '<': ['<=', '>='],
  '<=': ['<', '>'],
  '>': ['>=', '<='],
  '>=': ['>', '<'],
  '&&': ['||'],
  '||': ['&&'],
  '??': ['&&'],
  '+': ['-'],
  '-': ['+'],
  '*': ['/'],
  '/': ['*'],
  '%': ['*'],
  '&': ['|'],
  '|': ['&'],
  '<<': ['>>'],
  '>>': ['<<'],
  '>>>': ['>>'],
};
const METHOD_SWAPS = { startsWith: 'endsWith', endsWith: 'startsWith', some: 'every', every: 'some', toLowerCase: 'toUpperCase', toUpperCase: 'toLowerCase', min: 'max', max: 'min' };

/** The mutants of one target: {id, start, end, replacement, line, original}. */
function mutantsOf(name, target) {
  const text = readFileSync(join(ROOT, target.file), 'utf8');
  const source = ts.createSourceFile(target.file, text, ts.ScriptTarget.Latest, true, target.file.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  const mutants = [];
  const seen = new Map();
  const add = (fn, node, replacement, start = node.getStart(source), end = node.getEnd()) => {
    const original = text.slice(start, end);
    if (original === replacement) return;
    const short = (s) => s.replace(/\s+/g, ' ').slice(0, 60);
    const base = `${name}: ${fn}: ${short(original)} -> ${short(replacement)}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    mutants.push({ id: `${base} #${n}`, start, end, replacement, line: source.getLineAndCharacterOfPosition(start).line + 1 });
  };
  const functionName = (node) => {
    if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name) return node.name.getText(source);
    if (ts.isVariableDeclaration(node) && node.initializer) return node.name.getText(source);
    if (ts.isPropertyAssignment(node) && (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer))) return node.name.getText(source);
    return undefined;
  };
  const visit = (node, fn) => {
    const named = functionName(node);
    if (named !== undefined && target.functions.includes(named)) fn = named;
    if (fn !== undefined) mutate(node, fn);
    ts.forEachChild(node, (child) => visit(child, fn));
  };
  const isTypePosition = (node) => {
    for (let p = node.parent; p; p = p.parent) {
      if (ts.isTypeNode(p) || ts.isImportDeclaration(p) || ts.isTypeAliasDeclaration(p) || ts.isInterfaceDeclaration(p)) return true;
      if (ts.isBlock(p) || ts.isSourceFile(p)) return false;
    }
    return false;
  };
  const mutate = (node, fn) => {
    if (isTypePosition(node)) return;
    if (ts.isBinaryExpression(node)) {
      const op = node.operatorToken.getText(source);
      for (const to of Object.hasOwn(SWAPS, op) ? SWAPS[op] : []) add(fn, node.operatorToken, to);
      // A flag or a condition dropped from its chain: `a | O_NOFOLLOW` -> `a`.
      if (['|', '&&', '||'].includes(op)) {
        add(fn, node, node.left.getText(source));
        add(fn, node, node.right.getText(source));
      }
    } else if (ts.isPrefixUnaryExpression(node) && (node.operator === ts.SyntaxKind.ExclamationToken || node.operator === ts.SyntaxKind.MinusToken)) {
      add(fn, node, node.operand.getText(source));
    } else if (ts.isIfStatement(node) || ts.isConditionalExpression(node) || ts.isWhileStatement(node) || ts.isForStatement(node)) {
      const cond = ts.isConditionalExpression(node) ? node.condition : ts.isForStatement(node) ? node.condition : node.expression;
      if (cond !== undefined) {
        if (!ts.isForStatement(node) && !ts.isWhileStatement(node)) add(fn, cond, 'true');
        add(fn, cond, 'false');
      }
    } else if (node.kind === ts.SyntaxKind.TrueKeyword) {
      add(fn, node, 'false');
    } else if (node.kind === ts.SyntaxKind.FalseKeyword) {
      add(fn, node, 'true');
    } else if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      const p = node.parent;
      const isKey = (ts.isPropertyAssignment(p) && p.name === node) || ts.isImportDeclaration(p) || ts.isExternalModuleReference(p) || ts.isLiteralTypeNode(p);
      const isRequire = ts.isCallExpression(p) && p.expression.getText(source) === 'require';
      if (!isKey && !isRequire && node.text !== '') add(fn, node, '""');
    } else if (ts.isRegularExpressionLiteral(node)) {
      for (const variant of regexVariants(node.text)) add(fn, node, variant);
    } else if (ts.isArrayLiteralExpression(node) && node.elements.length > 0) {
      add(fn, node, '[]');
    } else if (ts.isBlock(node) && node.statements.length > 0 && !ts.isSourceFile(node.parent)) {
      add(fn, node, '{}');
    } else if (ts.isPropertyAccessExpression(node) && Object.hasOwn(METHOD_SWAPS, node.name.text) && ts.isCallExpression(node.parent)) {
      add(fn, node.name, METHOD_SWAPS[node.name.text]);
    } else if ((ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node) || ts.isCallExpression(node)) && node.questionDotToken !== undefined) {
      add(fn, node.questionDotToken, ts.isPropertyAccessExpression(node) ? '.' : '');
    } else if (ts.isReturnStatement(node) && node.expression !== undefined && ts.isBlock(node.parent)) {
      // A return that is dropped: the function goes on as if the case were not there.
      add(fn, node, ';');
    } else if (ts.isExpressionStatement(node) && ts.isCallExpression(node.expression)) {
      // A call whose effect is all there is (fsync, close, unlink): dropped.
      add(fn, node, ';');
    }
  };
  visit(source, undefined);
  const missing = target.functions.filter((f) => !mutants.some((m) => m.id.startsWith(`${name}: ${f}: `)));
  if (missing.length > 0) throw new Error(`${name}: no mutant in ${missing.join(', ')} (renamed?)`);
  return { text, mutants };
}

/**
 * A regular expression's mutants: without its ^ or its $, and without each alternative of each
 * group (or of the whole) that has several: /^(A|B)$/ -> /(A|B)$/, /^(A|B)/, /^(B)$/, /^(A)$/.
 */
function regexVariants(literal) {
  const end = literal.lastIndexOf('/');
  const body = literal.slice(1, end);
  const flags = literal.slice(end + 1);
  const out = [];
  const wrap = (b) => `/${b}/${flags}`;
  if (body.startsWith('^')) out.push(wrap(body.slice(1)));
  if (body.endsWith('$') && !body.endsWith('\\$')) out.push(wrap(body.slice(0, -1)));
  // Each group's alternatives, as [start, end) ranges of the body.
  const stack = [{ start: 0, bars: [] }];
  const groups = [];
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') stack.push({ start: body.startsWith('?:', i + 1) ? i + 3 : i + 1, bars: [] });
    else if (c === ')') groups.push({ ...stack.pop(), end: i });
    else if (c === '|') stack[stack.length - 1].bars.push(i);
  }
  groups.push({ ...stack[0], end: body.length });
  for (const g of groups) {
    if (g.bars.length === 0) continue;
    const cuts = [g.start - 1, ...g.bars, g.end];
    for (let k = 0; k + 1 < cuts.length; k++) {
      // Drop alternative k with one of the bars beside it.
      const [from, to] = k === 0 ? [cuts[0] + 1, cuts[1] + 1] : [cuts[k], cuts[k + 1]];
      out.push(wrap(body.slice(0, from) + body.slice(to)));
    }
  }
  return out;
}

function workCopy() {
  const dir = mkdtempSync(join(tmpdir(), 'pi-textfile-mutant-'));
  for (const entry of ['src', 'test', 'scripts', 'schemas', 'systemd', 'cron', 'package.json', 'tsconfig.json', 'README.md']) {
    cpSync(join(ROOT, entry), join(dir, entry), { recursive: true, verbatimSymlinks: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

function run(cmd, args, cwd, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, CI: 'true', PI_TEXTFILE_MUTATING: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, timedOut: signal === 'SIGKILL' });
    });
  });
}

async function judge(dir, target, timeoutMs) {
  const built = await run(process.execPath, ['scripts/build.mjs', `--tests=${target.tests.join(',')}`], dir, 120_000);
  if (built.code !== 0) return 'killed'; // a mutant that does not build cannot ship
  const files = target.tests.map((t) => `build/test/${t}.test.js`);
  const r = await run(process.execPath, ['--test', '--test-concurrency=1', ...files], dir, timeoutMs);
  if (r.timedOut) return 'timeout';
  return r.code === 0 ? 'survived' : 'killed';
}

const args = process.argv.slice(2);
const jobsAt = args.indexOf('--jobs');
const jobs = jobsAt >= 0 ? Number(args[jobsAt + 1]) : Math.max(1, Math.min(4, availableParallelism()));
const names = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--jobs');
for (const n of names) if (!(n in TARGETS)) throw new Error(`no target ${n}; targets: ${Object.keys(TARGETS).join(', ')}`);
const chosen = names.length > 0 ? names : Object.keys(TARGETS);
const plans = chosen.map((name) => ({ name, target: TARGETS[name], ...mutantsOf(name, TARGETS[name]) }));

if (args.includes('--list')) {
  for (const p of plans) for (const m of p.mutants) console.log(`${p.target.file}:${m.line}: ${m.id}`);
  process.exit(0);
}

// The unmutated tests must pass, and how long they take sets each mutant's time limit.
const copies = Array.from({ length: jobs }, workCopy);
process.on('exit', () => copies.forEach((d) => rmSync(d, { recursive: true, force: true })));
const limits = new Map();
for (const p of plans) {
  const started = Date.now();
  const verdict = await judge(copies[0], p.target, 600_000);
  if (verdict !== 'survived') {
    console.error(`mutate: ${p.name}: the tests fail without any mutant; fix that first`);
    process.exit(2);
  }
  limits.set(p.name, Math.max(30_000, 3 * (Date.now() - started)));
}

const queue = plans.flatMap((p) => p.mutants.map((m) => ({ p, m })));
const results = new Map(plans.map((p) => [p.name, []]));
let failing = 0;
let done = 0;

/** A target's score and its surviving mutants, printed as soon as its last mutant is judged. */
function report(p) {
  const rs = results.get(p.name).sort((a, b) => a.start - b.start);
  const equivalent = rs.filter((r) => r.verdict === 'survived' && EQUIVALENT[r.id] !== undefined);
  const survived = rs.filter((r) => r.verdict === 'survived' && EQUIVALENT[r.id] === undefined);
  const killed = rs.filter((r) => r.verdict !== 'survived').length;
  const timedOut = rs.filter((r) => r.verdict === 'timeout').length;
  const score = (100 * killed) / Math.max(1, rs.length - equivalent.length);
  if (score < 90) failing++;
  console.log(`${p.name} (${p.target.file}): ${score.toFixed(1)} % (${killed} killed, ${timedOut} of them by time limit; ${survived.length} survived; ${equivalent.length} equivalent; ${rs.length} mutants)`);
  for (const r of survived) console.log(`  survived ${p.target.file}:${r.line}: ${r.id}`);
  for (const r of equivalent) console.log(`  equivalent ${p.target.file}:${r.line}: ${r.id}: ${EQUIVALENT[r.id]}`);
}

async function worker(dir) {
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
    const { p, m } = item;
    const file = join(dir, p.target.file);
    writeFileSync(file, p.text.slice(0, m.start) + m.replacement + p.text.slice(m.end));
    const verdict = await judge(dir, p.target, limits.get(p.name));
    writeFileSync(file, p.text);
    results.get(p.name).push({ ...m, verdict });
    if (results.get(p.name).length === p.mutants.length) report(p);
    if (++done % 25 === 0) process.stderr.write(`mutate: ${done} of ${plans.reduce((n, q) => n + q.mutants.length, 0)} mutants judged\n`);
  }
}
await Promise.all(copies.map(worker));

const stale = Object.keys(EQUIVALENT).filter((id) => !plans.some((p) => p.mutants.some((m) => m.id === id)) && chosen.some((n) => id.startsWith(`${n}: `)));
for (const id of stale) console.log(`no such mutant any more (remove it from EQUIVALENT): ${id}`);
process.exit(failing > 0 ? 1 : 0);
