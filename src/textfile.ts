/**
 * Writing into node_exporter's textfile directory, atomically: write-file-atomic writes the whole
 * content to `<name>.<number>` in the same directory (never a `.prom` name, so node_exporter never
 * reads a half-written file), fsyncs it, sets mode 0644 (node_exporter runs as another user), and
 * renames it over the target. A failed write leaves the previous file untouched.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { describeFsError, EXIT_CANNOT_RUN, UserError } from './errors';

/** Temp files of a run that was killed (SIGKILL cannot be caught) older than this are removed. */
export const STALE_TEMP_AGE_MS = 60_000;

/** Throws a UserError (exit 2) unless `dir` is an existing directory this process may write to. */
export function checkOutputDirectory(dir: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch (err) {
    const why = describeFsError(err);
    throw new UserError(
      `output directory ${dir} ${why}; ${why === 'does not exist' ? `create it (sudo mkdir -p ${dir}) or ` : ''}` +
        `pass --textfile.directory DIR (the directory node_exporter reads with --collector.textfile.directory)`,
      EXIT_CANNOT_RUN,
    );
  }
  if (!stat.isDirectory()) throw new UserError(`output directory ${dir} is not a directory; pass --textfile.directory DIR`, EXIT_CANNOT_RUN);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (err) {
    throw new UserError(
      `output directory ${dir} is not writable (${describeFsError(err)}); run pi-textfile as a user that may write there, ` +
        `or give it access (e.g. sudo chown USER ${dir})`,
      EXIT_CANNOT_RUN,
    );
  }
}

/** PURE: whether a directory entry is one of write-file-atomic's temp files for `name`. */
export function isTempFileFor(entry: string, name: string): boolean {
  return entry.startsWith(`${name}.`) && /^\d+$/.test(entry.slice(name.length + 1));
}

/** Removes temp files left behind by killed runs; young ones may belong to a run in progress. */
export function removeStaleTempFiles(dir: string, name: string, nowMs: number): number {
  let removed = 0;
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (!isTempFileFor(entry, name)) continue;
    const file = path.join(dir, entry);
    try {
      if (nowMs - fs.statSync(file).mtimeMs > STALE_TEMP_AGE_MS) {
        fs.unlinkSync(file);
        removed++;
      }
    } catch {
      // raced with another run: fine
    }
  }
  return removed;
}

/** Atomically replaces `file` with `content` (mode 0644). Throws a UserError (exit 2) on failure. */
export async function writeAtomically(file: string, content: string): Promise<void> {
  try {
    await writeFileAtomic(file, content, { mode: 0o644, chown: false, encoding: 'utf8' });
  } catch (err) {
    throw new UserError(`cannot write ${file}: ${describeFsError(err)}; the previous file (if any) was left as it was`, EXIT_CANNOT_RUN);
  }
}
