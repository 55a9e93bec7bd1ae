/**
 * Atomic writes that never follow a link, for every file pi-textfile writes where someone else
 * may own the directory (node_exporter's textfile directory belongs under /var/lib/prometheus,
 * which the `prometheus` user owns; gen-config --out may be anywhere):
 *
 * - the target is never followed: a symbolic link there is refused with one line (install's own
 *   link included: the service writes the file behind it), as is anything but a regular file;
 * - the content goes to a temporary file in the target's own directory (the path as given, never
 *   a realpath), named `.NAME.<16 hex>.tmp` and created with O_CREAT|O_EXCL|O_NOFOLLOW, so
 *   a link planted at any name is never opened; its mode is set on the descriptor (0644:
 *   node_exporter runs as another user), it is fsynced, renamed over the target (rename replaces
 *   a directory entry and follows nothing), and the directory is fsynced;
 * - a failed write leaves the previous file as it was and removes its temporary file.
 *
 * write-file-atomic is not used here: it resolves the target with realpath (following a planted
 * link) and opens a predictable temporary name without O_EXCL or O_NOFOLLOW. It is kept for
 * install's unit files in /etc/systemd/system, a directory only root may write.
 */
import { type Stats, accessSync, closeSync, constants, fchmodSync, fsyncSync, lstatSync, openSync, readdirSync, readlinkSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describeFsError, EXIT_CANNOT_RUN, UserError } from '../lib/errors';
import { isLowerHex } from './text';

/** Where the installed service writes, and where install's link in node_exporter's directory points. */
export const RUNTIME_DIRECTORY = '/run/pi-textfile';
export const TEXTFILE_NAME = 'pi-textfile.prom';
export const RUNTIME_FILE = `${RUNTIME_DIRECTORY}/${TEXTFILE_NAME}`;

/** The V8 code cache the entry point keeps beside the textfile (src/launcher.cjs; its temp files are swept here). */
export const CODE_CACHE_NAME = '.pi-textfile.code-cache';

/** Temp files of a run that was killed (SIGKILL cannot be caught) older than this are removed. */
export const STALE_TEMP_AGE_MS = 60_000;

const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/** Throws a UserError (exit 2) unless `dir` is an existing directory this process may write to. */
export function checkOutputDirectory(dir: string, flag = '--textfile.directory DIR (the directory node_exporter reads with --collector.textfile.directory)'): void {
  let stat: Stats;
  try {
    stat = statSync(dir);
  } catch (err) {
    const why = describeFsError(err);
    throw new UserError(`output directory ${dir} ${why}; ${why === 'does not exist' ? `create it (sudo mkdir -p ${dir}) or ` : ''}pass ${flag}`, EXIT_CANNOT_RUN);
  }
  if (!stat.isDirectory()) throw new UserError(`output directory ${dir} is not a directory; pass ${flag}`, EXIT_CANNOT_RUN);
  try {
    accessSync(dir, constants.W_OK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EROFS') {
      throw new UserError(`output directory ${dir} is on a read-only file system; remount it read-write, or pass ${flag}`, EXIT_CANNOT_RUN);
    }
    throw new UserError(
      `output directory ${dir} is not writable (${describeFsError(err)}); run pi-textfile as a user that may write there, or give it access (e.g. sudo chown USER ${dir})`,
      EXIT_CANNOT_RUN,
    );
  }
}

/**
 * PURE: whether a directory entry is a temporary file of a write of `name`: this version's
 * `.NAME.<16 hex>.tmp`, or `NAME.<digits>` as earlier versions (write-file-atomic) named them.
 */
export function isTempFileFor(entry: string, name: string): boolean {
  if (entry.startsWith(`.${name}.`)) {
    const rest = entry.slice(name.length + 2);
    return rest.length === 20 && rest.endsWith('.tmp') && isLowerHex(rest.slice(0, 16));
  }
  return entry.startsWith(`${name}.`) && /^\d+$/.test(entry.slice(name.length + 1));
}

/** Removes temp files left behind by killed runs; young ones may belong to a run in progress. Follows no link. */
export function removeStaleTempFiles(dir: string, names: readonly string[], nowMs: number): number {
  let removed = 0;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (!names.some((name) => isTempFileFor(entry, name))) continue;
    const file = join(dir, entry);
    try {
      const st = lstatSync(file);
      if ((st.isFile() || st.isSymbolicLink()) && nowMs - st.mtimeMs > STALE_TEMP_AGE_MS) {
        unlinkSync(file); // a planted link is removed itself; its target is never touched
        removed++;
      }
    } catch {
      // raced with another run: fine
    }
  }
  return removed;
}

function refuseWhatIsThere(file: string): void {
  let st: Stats;
  try {
    st = lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new UserError(`cannot write ${file}: ${describeFsError(err)}`, EXIT_CANNOT_RUN);
  }
  if (st.isSymbolicLink()) {
    const target = readlinkSync(file);
    if (target === RUNTIME_FILE) {
      throw new UserError(
        `${file} is the link pi-textfile install made to ${RUNTIME_FILE}, which the installed service writes; it is left as it is: ` +
          `start the service (sudo systemctl start pi-textfile.service), or write there yourself with --textfile.directory ${RUNTIME_DIRECTORY}`,
        EXIT_CANNOT_RUN,
      );
    }
    throw new UserError(
      `${file} is a symbolic link (to ${JSON.stringify(target)}), and pi-textfile never writes through a link it did not make; remove it, or write elsewhere`,
      EXIT_CANNOT_RUN,
    );
  }
  if (!st.isFile()) throw new UserError(`${file} is not a regular file (it is a ${kindOf(st)}); move it away, or write elsewhere`, EXIT_CANNOT_RUN);
}

function kindOf(st: Stats): string {
  return st.isDirectory() ? 'directory' : st.isFIFO() ? 'FIFO' : st.isSocket() ? 'socket' : st.isCharacterDevice() || st.isBlockDevice() ? 'device' : 'special file';
}

/**
 * Atomically replaces the regular file `file` with `content`, mode 0644, following no link (see
 * the top of this file). Throws a UserError (exit 2) that says what is wrong; the previous file
 * is then untouched.
 */
/**
 * 16 hex digits for a temporary name. Not cryptographic, and it need not be: the name is opened
 * with O_EXCL|O_NOFOLLOW, so one somebody guessed and planted is skipped, never opened; loading
 * node:crypto for it would cost each run about 5 ms of CPU and 2 MiB.
 */
function tempSuffix(): string {
  const word = (): string => Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, '0');
  return word() + word();
}

export function writeAtomically(file: string, content: string, suffix: () => string = tempSuffix): void {
  refuseWhatIsThere(file);
  const dir = dirname(file);
  let tmp = '';
  let fd = -1;
  // Something at the name (a link planted by whoever can write the directory): never opened,
  // another name is drawn.
  for (let attempt = 0; fd < 0; attempt++) {
    tmp = join(dir, `.${basename(file)}.${suffix()}.tmp`);
    try {
      fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 8) continue;
      throw new UserError(`cannot write ${file}: ${describeFsError(err)}; the previous file (if any) was left as it was`, EXIT_CANNOT_RUN);
    }
  }
  try {
    try {
      fchmodSync(fd, 0o644);
      writeFileSync(fd, content, 'utf8');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw new UserError(`cannot write ${file}: ${describeFsError(err)}; the previous file (if any) was left as it was`, EXIT_CANNOT_RUN);
  }
  try {
    const dirFd = openSync(dir, constants.O_RDONLY | (constants.O_DIRECTORY ?? 0));
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // the rename is done; a directory that cannot be fsynced (some FUSE mounts) loses only durability
  }
}
