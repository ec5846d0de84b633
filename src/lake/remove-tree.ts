/**
 * Removing a folder someone else may be changing while it goes (a sweep of leftovers in a shared temp folder or the
 * lakehouse's tmp/), without ever following a symbolic link, at any depth. A removal by path strings (`rm -r`) checks
 * that `a/sub` is a folder and then lists and unlinks `a/sub/...`: swap `sub` for a link in between and the files at
 * the link's target go instead. Here every folder is opened once, with O_NOFOLLOW, and everything below it is reached
 * through that open descriptor (Linux's /proc/self/fd/N names the very folder opened, wherever it has been moved), so
 * a link put anywhere in the tree is removed as a link, never followed.
 *
 * Without /proc (macOS), the folder is first renamed into a fresh folder only this user can enter, then removed by
 * path: the sweeps call this only on folders of this user that nobody else can enter (see `scratch-dirs.ts`).
 */
import { constants, existsSync, type Stats } from 'node:fs';
import { lstat, mkdtemp, open, readdir, rename, rm, rmdir, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

const OPEN_DIR = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
/** Where an open folder's entries are reached by its descriptor rather than by its path. */
const BY_DESCRIPTOR = existsSync('/proc/self/fd') ? '/proc/self/fd' : undefined;

/** An open folder: `path` reaches its entries (through the descriptor where the system allows it). */
export interface OpenFolder {
  readonly path: string;
  readonly stats: Stats;
  close(): Promise<void>;
}

const gone = (error: unknown) => ['ENOENT', 'ENOTDIR', 'ELOOP'].includes((error as NodeJS.ErrnoException).code ?? '');

/** Open a folder without following a link at its last step; undefined when it is not a folder (a link, a file, gone). */
export async function openFolder(path: string): Promise<OpenFolder | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, OPEN_DIR);
  } catch (error) {
    if (gone(error)) return undefined;
    throw error;
  }
  try {
    const stats = await handle.stat();
    return { path: BY_DESCRIPTOR ? `${BY_DESCRIPTOR}/${handle.fd}` : path, stats, close: () => handle.close() };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Whether folders are reached by descriptor here (Linux), so a removal is safe against links at any depth. */
export const removesByDescriptor = BY_DESCRIPTOR !== undefined;

/**
 * Remove `name` in the folder `parent` (a file or link is unlinked, a folder removed with all it holds), if `accept`
 * says yes to what the entry is (checked on the open folder itself, not on a path that could change after the check).
 * Returns whether it went. A link is never followed, at any depth; another sweep removing the same entry is not an
 * error.
 */
export async function removeTree(parent: string, name: string, accept: (stats: Stats) => boolean = () => true): Promise<boolean> {
  const folder = await openFolder(parent);
  if (!folder) return false;
  try {
    const entry = join(folder.path, name);
    const stats = await lstat(entry).catch((error: unknown) => (gone(error) ? undefined : Promise.reject(error)));
    if (!stats) return false;
    if (!stats.isDirectory()) {
      if (!accept(stats)) return false;
      return await unlink(entry).then(() => true, (error: unknown) => (gone(error) ? false : Promise.reject(error)));
    }
    if (!BY_DESCRIPTOR) return await removeByRename(parent, name, accept);
    const dir = await openFolder(entry);
    if (!dir) return false;
    try {
      if (!accept(dir.stats)) return false;
      await emptyFolder(dir.path);
    } finally {
      await dir.close();
    }
    // By path from the parent's descriptor: had `name` been swapped meanwhile, rmdir takes only an empty folder.
    return await rmdir(entry).then(() => true, (error: unknown) => (gone(error) ? false : Promise.reject(error)));
  } finally {
    await folder.close();
  }
}

/** Empty an open folder (reached through its descriptor), folder by folder, each opened without following links. */
async function emptyFolder(path: string): Promise<void> {
  // A few passes: an entry that turned from a file into a folder under us is taken on the next one.
  for (let pass = 0; pass < 3; pass++) {
    const entries = await readdir(path, { withFileTypes: true }).catch((error: unknown) => (gone(error) ? [] : Promise.reject(error)));
    if (!entries.length) return;
    for (const e of entries) {
      const child = join(path, e.name);
      if (e.isDirectory()) {
        const sub = await openFolder(child); // a link swapped in since the listing is not opened: unlinked below
        if (sub) {
          try {
            await emptyFolder(sub.path);
          } finally {
            await sub.close();
          }
          await rmdir(child).catch((error: unknown) => {
            if (!gone(error) && (error as NodeJS.ErrnoException).code !== 'ENOTEMPTY') throw error;
          });
          continue;
        }
      }
      await unlink(child).catch((error: unknown) => {
        // EISDIR (EPERM on some systems): it became a folder since the listing; the next pass opens it.
        if (!gone(error) && !['EISDIR', 'EPERM'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
      });
    }
  }
}

/** Without descriptors to walk by: move the folder where only this user can go, check it, then remove it there. */
async function removeByRename(parent: string, name: string, accept: (stats: Stats) => boolean): Promise<boolean> {
  const privateFolder = await mkdtemp(join(parent, '.cbbd-sweep-'));
  try {
    await rename(join(parent, name), join(privateFolder, name));
    const stats = await lstat(join(privateFolder, name));
    if (!stats.isDirectory() || !accept(stats)) {
      await rename(join(privateFolder, name), join(parent, name)); // not what was checked: put it back
      return false;
    }
    await rm(join(privateFolder, name), { recursive: true, force: true });
    return true;
  } catch (error) {
    if (gone(error)) return false;
    throw error;
  } finally {
    await rmdir(privateFolder).catch(() => undefined);
  }
}
