/**
 * DuckDB reads files by path: on a local lakehouse the objects are read in place; from S3 they are downloaded to a
 * temporary folder first, removed when the work is done. A download keeps the object's key as its path under that
 * folder, so Hive folders (`season=2024/date=2024-01-15`) still name the keys, and the name's ending is kept (DuckDB
 * detects gzip from `.gz`).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PermanentError } from '../core/errors.ts';
import type { ObjectStorage } from './storage/storage.ts';
import { makeScratchDir } from './scratch-dirs.ts';

/**
 * Local paths of stored objects for one piece of work: each object is downloaded once however often it is asked
 * for (a game day's inputs are read by every later rating date of a step), and all of them are removed on `close`.
 */
export class LocalFiles {
  private dir: Promise<string> | undefined;
  private readonly downloaded = new Map<string, Promise<string>>();

  constructor(private readonly storage: ObjectStorage) {}

  async paths(keys: readonly string[]): Promise<string[]> {
    if (this.storage.localPath) return keys.map((k) => this.storage.localPath!(k)!);
    // Made 0700 at once, as every scratch folder is: the sweep of killed processes' leftovers takes no other.
    this.dir ??= makeScratchDir('files');
    const dir = await this.dir;
    const out: string[] = [];
    // One after the other: a season of small files would otherwise open hundreds of connections at once.
    for (const key of keys) out.push(await this.download(key, dir));
    return out;
  }

  private download(key: string, dir: string): Promise<string> {
    let path = this.downloaded.get(key);
    if (!path) {
      path = (async () => {
        // Keys come from listing our own lakehouse; still, none may climb out of the folder.
        if (key.split('/').some((part) => part === '..' || part === '.' || part === '')) throw new PermanentError(`${key} is not a lakehouse object key.`);
        const body = await this.storage.get(key);
        if (!body) throw new PermanentError(`${key} is missing: materialize its asset again.`);
        const local = join(dir, key);
        await mkdir(dirname(local), { recursive: true });
        await writeFile(local, body);
        return local;
      })();
      this.downloaded.set(key, path);
    }
    return path;
  }

  async close(): Promise<void> {
    if (this.dir) await rm(await this.dir, { recursive: true, force: true });
  }
}

export async function withLocalFiles<T>(storage: ObjectStorage, keys: readonly string[], work: (paths: string[]) => Promise<T>): Promise<T> {
  const files = new LocalFiles(storage);
  try {
    return await work(await files.paths(keys));
  } finally {
    await files.close();
  }
}
