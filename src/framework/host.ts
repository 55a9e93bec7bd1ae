/**
 * Mount-rooted file access for collectors (procfs, sysfs), in the manner of prometheus/procfs: the
 * mount points are values passed in, never globals, so tests point them at fixture trees. This is
 * the only module through which collectors read files.
 *
 * Every read is bounded and never blocks: the file is opened non-blocking, must be a regular file
 * (sysfs and procfs attributes are; a FIFO, a device such as /dev/zero or a socket is refused), and
 * is read up to MAX_FILE_BYTES; text must not contain NUL bytes. Reads are synchronous: a handful of
 * tiny pseudo-files is cheaper read directly than through the libuv thread pool.
 *
 * A file that does not exist reads as `null` (absent hardware is data, not an error); any other
 * failure (permission denied, I/O error, not a regular file, too large, binary) throws a
 * HostReadError naming the path, which fails the collector that asked.
 */
import { type Stats, closeSync, constants, existsSync, fstatSync, openSync, readSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describeFsError, EXIT_CANNOT_RUN, ExpectedError, UserError } from '../lib/errors';

export interface HostPaths {
  procfs: string;
  sysfs: string;
}

/** sysfs attributes are at most a page; procfs files such as cpuinfo a few KiB. */
export const MAX_FILE_BYTES = 256 * 1024;

export class HostReadError extends ExpectedError {
  static override readonly kind: string = 'HostReadError';
  constructor(
    readonly path: string,
    why: string,
  ) {
    super(`cannot read ${path}: ${why}`);
  }
}

function isAbsent(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return 'is a directory';
  if (stat.isFIFO()) return 'is a FIFO, not a sysfs/procfs file';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'is a device, not a sysfs/procfs file';
  if (stat.isSocket()) return 'is a socket, not a sysfs/procfs file';
  return 'is not a regular file';
}

// Plain typed arrays, whose methods V8 has built in: Buffer's allocation, slicing and copying are
// Node functions that each run would compile anew.
let scratchBuffer: Uint8Array | undefined;

/** The shared read buffer, at least `size` bytes, keeping its first `keep` bytes when it grows. */
function scratch(size: number, keep = 0): Uint8Array {
  if (scratchBuffer === undefined || scratchBuffer.length < size) {
    const grown = new Uint8Array(size);
    if (scratchBuffer !== undefined) grown.set(scratchBuffer.subarray(0, keep));
    scratchBuffer = grown;
  }
  return scratchBuffer;
}

/** A Buffer over `bytes`, sharing their memory: no copy. */
export function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

/**
 * Reads at most `maxBytes` of a regular file without blocking; null if it does not exist. With
 * `noFollow`, a link there is not followed (and fails, ELOOP). A larger file fails, unless `head`
 * asks for its first `maxBytes` only.
 */
export function readBounded(file: string, opts: { maxBytes?: number; noFollow?: boolean; head?: boolean } = {}): Buffer | null {
  const maxBytes = opts.maxBytes ?? MAX_FILE_BYTES;
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY | (opts.noFollow ? (constants.O_NOFOLLOW ?? 0) : 0));
  } catch (err) {
    if (isAbsent(err)) return null;
    throw new HostReadError(file, describeFsError(err));
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new HostReadError(file, kindOf(stat));
    // procfs reports size 0 and sysfs 4096 whatever the content: read until EOF, up to the cap,
    // into one scratch buffer that grows as needed and is reused by every read (a run reads some
    // twenty tiny files; a fresh 256 KiB buffer each time costs a garbage collection).
    // One byte past the cap tells a file that is too large, unless only its head is wanted.
    const limit = opts.head ? maxBytes : maxBytes + 1;
    let buf = scratch(Math.min(limit, 16 * 1024));
    let length = 0;
    for (;;) {
      if (length === buf.length) buf = scratch(Math.min(limit, buf.length * 4), length);
      const n = readSync(fd, buf, length, Math.min(buf.length, limit) - length, null);
      if (n === 0) break;
      length += n;
      if (length > maxBytes) throw new HostReadError(file, `is larger than ${maxBytes / 1024} KiB, which no sysfs/procfs file is`);
    }
    return bufferOf(buf.slice(0, length));
  } catch (err) {
    if (err instanceof HostReadError) throw err;
    throw new HostReadError(file, describeFsError(err));
  } finally {
    closeSync(fd);
  }
}

/**
 * A text file read as readBounded reads it (at most `maxBytes`, default MAX_FILE_BYTES, never
 * blocking, regular files only), or null when it does not exist or cannot be read for any reason.
 * With `noFollow`, a link there reads as null (the boot cache, gen-config's own files); with
 * `head`, only its first `maxBytes` are read (whether a file carries gen-config's header: a
 * 10,000-node prometheus.yml is several MiB).
 */
export function readTextOrNull(file: string, opts: { maxBytes?: number; noFollow?: boolean; head?: boolean } = {}): string | null {
  try {
    return readBounded(file, opts)?.toString('utf8') ?? null;
  } catch {
    return null;
  }
}

/** Read access below one mount root, with paths relative to it. */
export interface Files {
  /** A text file (UTF-8, no NUL bytes); null if it does not exist. */
  text(rel: string): string | null;
  /** A binary file (a device-tree property); null if it does not exist. */
  bytes(rel: string): Buffer | null;
  /** Directory entries, sorted; null if the directory does not exist. */
  list(rel: string): string[] | null;
}

export function mountFiles(root: string): Files {
  const at = (rel: string): string => join(root, rel);
  return {
    bytes: (rel) => readBounded(at(rel)),
    text(rel) {
      const raw = readBounded(at(rel));
      if (raw === null) return null;
      const text = raw.toString('utf8');
      if (text.includes('\0')) throw new HostReadError(at(rel), 'holds binary data where text was expected');
      return text;
    },
    list(rel) {
      try {
        return readdirSync(at(rel)).sort();
      } catch (err) {
        if (isAbsent(err)) return null;
        throw new HostReadError(at(rel), describeFsError(err));
      }
    },
  };
}

/** What every procfs and every sysfs has at its root: how a mistyped mount point is told apart. */
const MOUNT_MARKERS = { procfs: 'cpuinfo', sysfs: 'class' } as const;

/**
 * Throws a UserError (exit 2) unless each root looks like the file system it stands for: a
 * procfs has `cpuinfo` at its root, a sysfs has `class`. A typo (or the two swapped) would
 * otherwise look like a healthy machine that is not a Pi.
 */
export function checkMountRoots(paths: HostPaths): void {
  for (const key of ['procfs', 'sysfs'] as const) {
    const root = paths[key];
    const marker = join(root, MOUNT_MARKERS[key]);
    if (!existsSync(marker)) {
      const why = existsSync(root) ? `it has no ${MOUNT_MARKERS[key]}` : 'it does not exist';
      throw new UserError(`--path.${key} ${root} is not a ${key} mount point (${why}); give the directory where ${key} is mounted (default /${key === 'procfs' ? 'proc' : 'sys'})`, EXIT_CANNOT_RUN);
    }
  }
}
