/**
 * doctor's vcgencmd check: found, and answering get_throttled when run the way the service runs it
 * (as root, doctor runs it as an unprivileged user whose only group is video, through setpriv).
 */
import * as fs from 'node:fs';
import { readTextOrNull } from '../../framework/host';
import { createVcgencmd, findVcgencmd, VcgencmdError } from '../../framework/vcgencmd';
import { fail, ok, type Check } from './check';

/** The user the check runs vcgencmd as when doctor is root: nobody, plus group video, like the service. */
const NOBODY = 65534;

export interface VcgencmdCheckOptions {
  vcgencmd?: string;
  vcgencmdTimeoutMs: number;
  uid: number;
  groupFile: string;
  searchPath?: string;
}

function groupId(groupFile: string, name: string): number | null {
  const text = readTextOrNull(groupFile);
  if (text === null) return null;
  const line = text.split('\n').find((l) => l.split(':')[0] === name);
  const gid = line === undefined ? NaN : Number(line.split(':')[2]);
  return Number.isInteger(gid) ? gid : null;
}

export async function checkVcgencmd(opts: VcgencmdCheckOptions): Promise<Check> {
  const file = opts.vcgencmd ?? findVcgencmd(opts.searchPath);
  if (file === null || !fs.existsSync(file)) {
    return fail(
      'vcgencmd',
      opts.vcgencmd ? `${opts.vcgencmd} (--vcgencmd) does not exist` : 'not found on PATH, in /usr/bin or in /opt/vc/bin',
      'sudo apt install raspi-utils (libraspberrypi-bin on older releases), or pass --vcgencmd PATH',
    );
  }
  // As root, vcgencmd always works: run it the way the service does instead, as an unprivileged
  // user whose only group is video.
  let prefix: string[] = [];
  let who = 'this user';
  if (opts.uid === 0) {
    const video = groupId(opts.groupFile, 'video');
    if (video === null) {
      return fail('vcgencmd', `this system has no group video, which the service runs in to reach /dev/vcio`, 'sudo groupadd --system video, then make /dev/vcio belong to it (a udev rule: KERNEL=="vcio", GROUP="video", MODE="0660")');
    }
    prefix = ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, `--groups=${video}`, '--'];
    who = 'an unprivileged user in group video, as the service runs';
  }
  const runner = createVcgencmd({ path: file, timeoutMs: opts.vcgencmdTimeoutMs, prefix });
  try {
    const out = await runner.run(['get_throttled']);
    return ok('vcgencmd', `${file} get_throttled answered ${JSON.stringify(out.trim())} when run as ${who}`);
  } catch (err) {
    if (!(err instanceof VcgencmdError)) throw err;
    if (err.kind === 'timeout') {
      return fail('vcgencmd', `${file} get_throttled did not answer within ${opts.vcgencmdTimeoutMs / 1000}s (run as ${who})`, 'the firmware may be hung: look for "Firmware transaction timeout" in dmesg; a reboot clears it');
    }
    if (err.said === undefined) return fail('vcgencmd', `cannot run ${prefix[0] ?? file}: ${err.message}`, prefix.length > 0 ? 'install util-linux (it provides setpriv)' : `check ${file}`);
    if (err.kind === 'permission') {
      return fail(
        'vcgencmd',
        `${file} cannot reach the firmware when run as ${who}: "${err.said.line}" (status ${err.said.status})`,
        opts.uid === 0
          ? 'make the firmware devices belong to group video with mode 0660 (ls -l /dev/vcio /dev/vchiq; Raspberry Pi OS does it with a udev rule: KERNEL=="vcio", GROUP="video", MODE="0660")'
          : 'sudo usermod -aG video "$USER", then log in again (the service itself gets group video); or run sudo pi-textfile doctor',
      );
    }
    return fail('vcgencmd', `${file} get_throttled failed when run as ${who}: ${err.said.line || `status ${err.said.status}`}`, `run ${file} get_throttled yourself to see the firmware's answer`);
  }
}
