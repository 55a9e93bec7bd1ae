#!/usr/bin/env node
// pi-textfile's entry point. It is written so that any Node.js can parse it, from the oldest
// (Node 12 is what Raspberry Pi OS bullseye installs) on: it refuses a Node older than MIN_NODE in
// one line instead of the SyntaxError the program itself would raise there, then loads the
// program (main.cjs, beside this file).
//
// `collect --once` with a --textfile.directory (how the timer's service and cron run it every
// 30 s) loads the program through a V8 code cache kept in that directory: the program's functions
// are then not compiled again on every run. (The long-running mode starts once per boot: a cache
// would only keep more code in its memory.) The cache is a hidden file, `.pi-textfile.code-cache`, which
// node_exporter ignores (it reads *.prom only). It is used only when:
// - it is a regular file (not a link), owned by this process's user, writable by nobody else;
// - its key matches: this Node's version and architecture, and the program's build id, size
//   and modification time;
// - V8 accepts it (V8 checks its own version, flags and the source's length).
// Anything else is a miss: the program loads as usual and the cache is written anew, atomically
// (a temporary file created with O_EXCL|O_NOFOLLOW, fsynced, renamed), when the run ends. A
// cache is never written through a link nor trusted across versions.
'use strict';
// The oldest Node supported: package.json's engines.node (scripts/build.mjs refuses to build when
// they differ).
var MIN_NODE = [18, 17];
var parts = process.versions.node.split('.');
var major = Number(parts[0]);
var minor = Number(parts[1]);
if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1])) {
  var min = MIN_NODE.join('.');
  process.stderr.write(
    'pi-textfile: needs Node.js ' + min + ' or newer, but ' + process.execPath + ' is ' + process.version +
      ': install a current LTS (the official build for this board, or your distribution\'s nodejs if it is ' + min + ' or newer)\n'
  );
  process.exit(2);
}

// The program; the Debian package's copy of this file names its installed path instead.
var MAIN = require('path').join(__dirname, 'main.cjs');
var path = require('path');
// Replaced by scripts/build.mjs with a hash of main.cjs.
var BUILD_ID = 'development';
// As CODE_CACHE_NAME in src/framework/textfile.ts, whose sweep removes the temp files of a killed run.
var CACHE_NAME = '.pi-textfile.code-cache';
var MAX_CACHE_BYTES = 16 * 1024 * 1024;

/** The directory `collect --once` writes to, when it is given; null for anything else. */
function textfileDirectory(argv) {
  if (argv[0] !== 'collect') return null;
  var dir = null;
  var once = false;
  for (var i = 1; i < argv.length; i++) {
    var a = argv[i];
    if (a === '--help' || a === '-h' || a === '--stdout') return null;
    if (a === '--once') once = true;
    else if (a === '--textfile.directory' && i + 1 < argv.length) dir = argv[++i];
    else if (a.indexOf('--textfile.directory=') === 0) dir = a.slice('--textfile.directory='.length);
  }
  return once && dir !== '' ? dir : null;
}

/**
 * Runs the program. main.cjs is built as one function expression, with the parameters Node gives
 * a CommonJS module, so that it is compiled here as it is, with the code cache when `dir` is given.
 */
function run(dir) {
  var fs = require('fs');
  var vm = require('vm');
  // readFileSync with an encoding is read and decoded by Node's C++ side: the cheapest read there is.
  var source = fs.readFileSync(MAIN, 'utf8');
  var stat = fs.statSync(MAIN);
  var key = [process.version, process.arch, BUILD_ID, stat.size, stat.mtimeMs].join(' ');
  var cacheFile = dir === null ? null : path.join(dir, CACHE_NAME);
  var cached = cacheFile === null ? null : readCache(fs, cacheFile, key);
  var script = new vm.Script(source, { filename: MAIN, cachedData: cached === null ? undefined : cached });
  if (cacheFile !== null && (cached === null || script.cachedDataRejected)) {
    // Written once the program has run, so that the cache holds every function it compiled.
    // Only after a run that succeeded: a directory collect refused gets nothing from us either.
    process.once('exit', function (code) {
      if (code === 0) writeCache(fs, cacheFile, key, script);
    });
  }
  var mod = { exports: {} };
  script.runInThisContext().call(mod.exports, mod.exports, requireBeside, mod, MAIN, path.dirname(MAIN));
}

/** The program's require: Node's modules by name, the program's own parts beside main.cjs. */
function requireBeside(id) {
  return require(id.charAt(0) === '.' ? path.join(path.dirname(MAIN), id) : id);
}

/** The cached data for `key`, or null: absent, not ours, someone else may write it, or stale. */
function readCache(fs, file, key) {
  var fd;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch (e) {
    return null;
  }
  try {
    var st = fs.fstatSync(fd);
    if (!st.isFile() || st.uid !== process.geteuid() || (st.mode & 18) !== 0 || st.size > MAX_CACHE_BYTES) return null;
    // Plain bytes and a compare by hand: Buffer's own methods would each be compiled on every run.
    var buf = new Uint8Array(st.size);
    var n = fs.readSync(fd, buf, 0, st.size, 0);
    var header = key + '\n';
    if (n !== st.size || n <= header.length) return null;
    for (var i = 0; i < header.length; i++) if (buf[i] !== header.charCodeAt(i)) return null;
    return buf.subarray(header.length);
  } catch (e) {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

function writeCache(fs, file, key, script) {
  var tmp = path.join(path.dirname(file), '.' + CACHE_NAME + '.' + hex() + hex() + '.tmp');
  var fd;
  var created = false;
  try {
    var data = script.createCachedData();
    fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 384);
    created = true;
    // A write may be short (a nearly full disk takes what fits): go on until all of it is written,
    // or the write fails; a cache cut short is never renamed into place.
    var bytes = Buffer.concat([Buffer.from(key + '\n'), data]);
    for (var written = 0; written < bytes.length; ) {
      var n = fs.writeSync(fd, bytes, written, bytes.length - written);
      if (n <= 0) throw new Error('nothing written');
      written += n;
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, file);
  } catch (e) {
    // A cache that cannot be written (read-only or full disk) costs only the next run's compile.
    if (fd !== undefined) fs.closeSync(fd);
    // Only a file this run created is removed: whatever else holds the name is not ours.
    if (created) {
      try {
        fs.unlinkSync(tmp);
      } catch (e2) {
        // renamed already, or removed meanwhile
      }
    }
  }
}

function hex() {
  return (Math.floor(Math.random() * 0x100000000) + 0x100000000).toString(16).slice(1);
}

run(textfileDirectory(process.argv.slice(2)));
