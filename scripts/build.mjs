// Builds the program into dist/: pi-textfile.cjs (the entry point, src/launcher.cjs as it is:
// it refuses a Node older than 18.17 in one line), main.cjs (the command line and collect, with
// every dependency inlined), and beside it the parts only some commands load, each with a lazy
// require: program.cjs (commander), gen-config.cjs (yaml, ajv's runtime, the compiled schema) and
// deploy.cjs (install, uninstall, doctor). No node_modules are needed at run time.
//
//   node scripts/build.mjs            the program
//   node scripts/build.mjs --tests    also each test/*.test.ts, bundled the same way into build/test/
//   node scripts/build.mjs --tests=safety,collectors/board   only those tests
//
// Nothing is generated into src/: the systemd units and the cluster schema's standalone validator
// are virtual modules (pi-textfile:units, pi-textfile:validate-cluster) provided here, declared
// for the type checker in src/types/virtual-modules.d.ts.
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const testsArg = process.argv.find((a) => a === '--tests' || a.startsWith('--tests='));
const withTests = testsArg !== undefined;
/** --tests=NAME,NAME builds only those test files (test/NAME.test.ts): what scripts/mutate.mjs needs. */
const onlyTests = testsArg?.startsWith('--tests=') ? new Set(testsArg.slice('--tests='.length).split(',')) : null;
// The oldest Node supported: package.json's engines.node, the one place it is written. The
// launcher, which any Node must be able to parse, carries it as a literal: it must agree.
const MIN_NODE = /^>=(\d+)\.(\d+)$/.exec(JSON.parse(readFileSync('package.json', 'utf8')).engines.node);
if (MIN_NODE === null) throw new Error('package.json: engines.node is not ">=MAJOR.MINOR"');
if (!readFileSync('src/launcher.cjs', 'utf8').includes(`var MIN_NODE = [${MIN_NODE[1]}, ${MIN_NODE[2]}];`)) throw new Error(`src/launcher.cjs: MIN_NODE differs from package.json's engines.node`);

function unitsModule() {
  const units = Object.fromEntries(
    readdirSync('systemd')
      .filter((f) => /\.(service|timer|sysusers)$/.test(f))
      .sort()
      .map((f) => [f, readFileSync(`systemd/${f}`, 'utf8')]),
  );
  return `export default ${JSON.stringify(units)};`;
}

function validatorModule() {
  // Compiled once, here: gen-config never compiles a schema at run time.
  const ajv = new Ajv.default({ code: { source: true, esm: true }, allErrors: true, strict: true });
  const validate = ajv.compile(JSON.parse(readFileSync('schemas/cluster.schema.json', 'utf8')));
  return standaloneCode.default(ajv, validate);
}

const virtualModules = {
  name: 'virtual-modules',
  setup(b) {
    b.onResolve({ filter: /^pi-textfile:/ }, (args) => ({ path: args.path, namespace: 'virtual' }));
    b.onLoad({ filter: /.*/, namespace: 'virtual' }, (args) => {
      if (args.path === 'pi-textfile:units') return { contents: unitsModule(), loader: 'js', watchFiles: [] };
      if (args.path === 'pi-textfile:validate-cluster') return { contents: validatorModule(), loader: 'js', resolveDir: process.cwd() };
      return { errors: [{ text: `unknown virtual module ${args.path}` }] };
    });
  },
};

// The lazily required parts stay out of the main file: require('../commands/gen-config') becomes
// require('./gen-config.cjs'), resolved beside dist/main.cjs at run time.
const PARTS = { program: 'src/cli/program.ts', 'gen-config': 'src/commands/gen-config.ts', deploy: 'src/commands/deploy.ts' };
const lazyParts = {
  name: 'lazy-parts',
  setup(b) {
    b.onResolve({ filter: /(^|\/)(gen-config|deploy|program)$/ }, (args) => {
      if (args.kind !== 'require-call') return undefined;
      const part = args.path.split('/').pop();
      return { path: `./${part}.cjs`, external: true };
    });
  },
};

const common = { bundle: true, platform: 'node', format: 'cjs', target: `node${MIN_NODE[1]}.${MIN_NODE[2]}`, logLevel: 'warning', plugins: [virtualModules] };

rmSync('dist', { recursive: true, force: true });
// main.cjs is one function expression taking what Node gives a CommonJS module (exports, require,
// module, __filename, __dirname): the launcher compiles it as it is, with or without its code
// cache, and calls it.
const MAIN_WRAPPER = ['(function (exports, require, module, __filename, __dirname) {', '\n})'];
const main = await build({
  ...common,
  plugins: [virtualModules, lazyParts],
  entryPoints: ['src/bin.ts'],
  outfile: 'dist/main.cjs',
  minify: true,
  legalComments: 'eof',
  banner: { js: MAIN_WRAPPER[0] },
  footer: { js: MAIN_WRAPPER[1] },
  metafile: true,
});
const mainText = readFileSync('dist/main.cjs', 'utf8');
if (!mainText.startsWith(MAIN_WRAPPER[0]) || !mainText.trimEnd().endsWith(MAIN_WRAPPER[1].trim())) throw new Error('dist/main.cjs is not wrapped as the launcher expects');
// The launcher keys its code cache by main.cjs's hash, among other things.
const launcher = readFileSync('src/launcher.cjs', 'utf8');
const buildId = createHash('sha256').update(mainText).digest('hex').slice(0, 16);
if (!launcher.includes("var BUILD_ID = 'development';")) throw new Error('src/launcher.cjs has no BUILD_ID to set');
writeFileSync('dist/pi-textfile.cjs', launcher.replace("var BUILD_ID = 'development';", `var BUILD_ID = '${buildId}';`));
chmodSync('dist/pi-textfile.cjs', 0o755);
const sizes = [`main.cjs ${(Object.values(main.metafile.outputs)[0].bytes / 1024).toFixed(1)} KiB`];
const meta = { main: main.metafile };
for (const [part, entry] of Object.entries(PARTS)) {
  const r = await build({ ...common, plugins: [virtualModules, lazyParts], entryPoints: [entry], outfile: `dist/${part}.cjs`, minify: true, legalComments: 'eof', metafile: true });
  meta[part] = r.metafile;
  sizes.push(`${part}.cjs ${(Object.values(r.metafile.outputs)[0].bytes / 1024).toFixed(1)} KiB`);
}
// Kept for the test that checks what collect's start-up path parses.
writeFileSync('dist/meta.json', JSON.stringify(meta));
console.log(`built dist/: ${sizes.join(', ')}`);

if (withTests) {
  rmSync('build/test', { recursive: true, force: true });
  mkdirSync('build/test', { recursive: true });
  const tests = ['test', 'test/collectors'].flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.test.ts')).map((f) => `${dir}/${f}`));
  if (onlyTests !== null) tests.splice(0, tests.length, ...tests.filter((t) => onlyTests.has(t.replace(/^test\//, '').replace(/\.test\.ts$/, ''))));
  // ts-json-schema-generator (and the TypeScript compiler it drives) load from node_modules.
  await build({ ...common, entryPoints: tests, outbase: 'test', outdir: 'build/test', sourcemap: 'inline', external: ['ts-json-schema-generator', 'typescript'] });
  console.log(`built build/test/: ${tests.length} test files`);
}
