/**
 * Mount-rooted file access for collectors (procfs, sysfs, rootfs), in the manner of
 * prometheus/procfs: the mount points are values passed in, never globals, so tests point them at
 * fixture trees. This is the only module through which collectors read files.
 *
 * Reads are synchronous: a handful of tiny pseudo-files is cheaper read directly than through the
 * libuv thread pool. A file that does not exist reads as `null` (absent hardware is data, not an
 * error); any other failure (permission denied, I/O error) throws a HostReadError naming the path.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeFsError } from './errors';

export interface HostPaths {
  procfs: string;
  sysfs: string;
  rootfs: string;
}

export class HostReadError extends Error {
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(`cannot read ${path}: ${describeFsError(cause)}`);
    this.name = 'HostReadError';
  }
}

function isAbsent(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export class Host {
  constructor(readonly paths: HostPaths) {}

  procPath(rel: string): string {
    return path.join(this.paths.procfs, rel);
  }

  sysPath(rel: string): string {
    return path.join(this.paths.sysfs, rel);
  }

  rootPath(rel: string): string {
    return path.join(this.paths.rootfs, rel);
  }

  /** Reads a file as UTF-8 text; null if it does not exist. */
  readText(file: string): string | null {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (err) {
      if (isAbsent(err)) return null;
      throw new HostReadError(file, err);
    }
  }

  readProc(rel: string): string | null {
    return this.readText(this.procPath(rel));
  }

  readSys(rel: string): string | null {
    return this.readText(this.sysPath(rel));
  }

  /** Directory entries, sorted; null if the directory does not exist. */
  listDir(dir: string): string[] | null {
    try {
      return fs.readdirSync(dir).sort();
    } catch (err) {
      if (isAbsent(err)) return null;
      throw new HostReadError(dir, err);
    }
  }
}
