/** doctor's textfile check: pi-textfile.prom is where node_exporter reads, fresh, every collector fine. */
import * as fs from 'node:fs';
import { readTextOrNull } from '../../framework/host';
import * as path from 'node:path';
import { DAEMON, SERVICE, TIMER } from '../layout';
import { fail, formatAge, ok, type Check } from './check';

export interface TextfileCheckOptions {
  textfileName: string;
  maxAgeMs: number;
  unitDirectories: string[];
  wallMs(): number;
}

/** Where the installed service writes: --textfile.directory in its ExecStart, if installed. */
function serviceDirectory(unitDirectories: string[]): { unit: string; directory: string } | null {
  for (const unit of [SERVICE, DAEMON]) {
    for (const dir of unitDirectories) {
      const text = readTextOrNull(path.join(dir, unit));
      if (text === null) continue;
      const m = /^ExecStart=.*--textfile\.directory[= ](\S+)/m.exec(text);
      if (m) return { unit, directory: m[1]! };
      break;
    }
  }
  return null;
}

export function checkTextfile(opts: TextfileCheckOptions, dir: string, dirSource: string): Check {
  const file = path.join(dir, opts.textfileName);
  const writer = serviceDirectory(opts.unitDirectories);
  const logs = writer === null ? 'sudo pi-textfile install' : writer.unit === DAEMON ? `journalctl -u ${DAEMON}` : `systemctl status ${TIMER}; journalctl -u ${SERVICE}`;
  let link: string | null = null;
  try {
    if (fs.lstatSync(file).isSymbolicLink()) link = fs.readlinkSync(file);
  } catch {
    const elsewhere = writer !== null && path.normalize(writer.directory) !== path.normalize(dir) ? `; ${writer.unit} writes ${path.join(writer.directory, opts.textfileName)}` : '';
    return fail(
      'textfile',
      `no ${opts.textfileName} in ${dir}, the directory node_exporter reads (${dirSource})${elsewhere}`,
      writer === null ? `sudo pi-textfile install (it links ${opts.textfileName} there)` : `sudo pi-textfile install --textfile.directory=${dir} (it links ${opts.textfileName} there)`,
    );
  }
  const shown = link === null ? file : `${file} -> ${link}`;
  let stat: fs.Stats;
  let content: string;
  try {
    stat = fs.statSync(file);
    content = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail('textfile', `${shown}: the link's target does not exist; pi-textfile has not written it since boot`, logs);
    return fail('textfile', `${shown} cannot be read: ${(err as Error).message}`, `node_exporter must be able to read it: chmod 0644 ${file}`);
  }
  const age = opts.wallMs() - stat.mtimeMs;
  if (age > opts.maxAgeMs) {
    return fail(
      'textfile',
      `${shown} was last written ${formatAge(age)} ago (${new Date(stat.mtimeMs).toISOString()}), longer than --max-age ${formatAge(opts.maxAgeMs)}: node_exporter keeps serving these old values`,
      logs,
    );
  }
  const results = [...content.matchAll(/^pi_textfile_collector_success\{collector="([^"]*)"\} (\S+)$/gm)];
  if (results.length === 0) return fail('textfile', `${shown} has no pi_textfile_collector_success series: it was not written by pi-textfile`, `move it away, then sudo pi-textfile install`);
  const failed = results.filter((m) => m[2] !== '1').map((m) => m[1]);
  if (failed.length > 0) {
    return fail('textfile', `${shown}, written ${formatAge(age)} ago: collector${failed.length > 1 ? 's' : ''} ${failed.join(', ')} failed`, `pi-textfile collect --stdout shows why; for the service's own runs: ${logs}`);
  }
  return ok('textfile', `${shown}, written ${formatAge(age)} ago; all ${results.length} collectors succeeded`);
}

