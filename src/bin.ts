import { main } from './cli/main';

// `pi-textfile ... | head` closes the pipe early: that is not an error worth a stack trace. The
// streams are set up on first use only: a `collect --once` that has nothing to say never pays
// for creating them.
const ready = new Set<NodeJS.WriteStream>();
function write(stream: NodeJS.WriteStream, text: string): void {
  if (!ready.has(stream)) {
    ready.add(stream);
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      process.exit(process.exitCode ?? 0);
    });
  }
  stream.write(text);
}

main(process.argv.slice(2), {
  stdout: (s) => write(process.stdout, s),
  stderr: (s) => write(process.stderr, s),
}).then((code) => {
  // Everything is written (stdout and stderr are synchronous on Linux for files, pipes and
  // terminals): exit now. Node's own end would first run V8's pending tasks, which after a
  // collect --once can be a young-generation garbage collection of a heap about to be freed
  // (about 0.5 ms of CPU).
  process.exit(code);
});
