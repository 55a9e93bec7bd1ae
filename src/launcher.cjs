#!/usr/bin/env node
// pi-textfile's entry point. It is written so that any Node.js can parse it, from the oldest
// (Node 12 is what Raspberry Pi OS bullseye installs) on: it refuses a Node older than 18.17 in
// one line instead of the SyntaxError the program itself would raise there, then loads the
// program (main.cjs, beside this file).
'use strict';
var parts = process.versions.node.split('.');
var major = Number(parts[0]);
var minor = Number(parts[1]);
if (major < 18 || (major === 18 && minor < 17)) {
  process.stderr.write(
    'pi-textfile: needs Node.js 18.17 or newer, but ' + process.execPath + ' is ' + process.version +
      ': install a current LTS (the official build for this board, or your distribution\'s nodejs if it is 18.17 or newer)\n'
  );
  process.exit(2);
}
require('./main.cjs');
