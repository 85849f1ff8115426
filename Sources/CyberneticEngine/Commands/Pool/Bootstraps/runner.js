'use strict';
// Cybernetic warm node runner. Boots node, writes \x01R, reads one job (JSON: argv, cwd, env) from
// stdin to its end, sets process.argv, the environment and the working directory, writes \x01S and
// runs the script as the program's main with Module.runMain, so CommonJS and ES module scripts both
// load exactly as `node SCRIPT` would load them. End of file without a job: exit quietly.
const fs = require('fs');
const path = require('path');
const Module = require('module');

function readJob() {
  const chunks = [];
  const buffer = Buffer.allocUnsafe(65536);
  for (;;) {
    let count;
    try {
      count = fs.readSync(0, buffer, 0, buffer.length, null);
    } catch (error) {
      if (error.code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
        continue;
      }
      if (error.code === 'EOF') break;
      throw error;
    }
    if (count === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, count)));
  }
  return chunks.length === 0 ? null : JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function runJob() {
  const job = readJob();
  if (job === null) process.exit(0);
  for (const name of Object.keys(job.env)) {
    const value = job.env[name];
    if (value === null) delete process.env[name];
    else process.env[name] = value;
  }
  if (job.cwd) process.chdir(job.cwd);
  const main = path.resolve(job.argv[0]);
  process.argv = [process.argv[0], main, ...job.argv.slice(1)];
  fs.writeSync(1, '\x01S');
  Module.runMain(main);
}

// Pay at boot what every job would otherwise pay first: the stdio streams (console.log on a
// pipe loads net and stream) and the ES module loader (initialized by the first import()).
// Both are what the job would create itself on the same file descriptors and the same loader.
void process.stdout;
void process.stderr;
import('node:path').then(() => {
  fs.writeSync(1, '\x01R');
  // Outside the promise chain, so that the job's exceptions are plain uncaught exceptions.
  setImmediate(runJob);
}, (error) => {
  process.stderr.write(`cybernetic runner: ${error && error.stack || error}\n`);
  process.exit(70);
});
