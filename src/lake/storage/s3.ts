/**
 * S3 storage driver: the lakehouse key layout in a bucket (default `hoops-edge`). A partition is staged whole under
 * `tmp/`, then copied into place under its deterministic names, then every other object of the partition is removed
 * and the staging deleted: a re-run never leaves a second copy, and a failure before the copy changes nothing.
 * S3 has no multi-object rename: during the copy itself (16 objects at a time) a reader listing the prefix can
 * see some new objects beside old ones; the Glue catalog registers a partition only after its copy is complete.
 */
import { randomBytes } from 'node:crypto';
import {
  CopyObjectCommand, DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { StorageError } from '../../core/errors.ts';
import { awsClientConfig, type AwsSettings } from '../aws.ts';
import { assertSafeKey, STAGING_MAX_AGE_MS, type ObjectStorage, type StoredObject } from './storage.ts';

export const DRIVER_NAME = 's3';

export function s3Storage(bucket: string, settings: AwsSettings): ObjectStorage & { readonly client: S3Client } {
  const client = new S3Client(awsClientConfig(settings));
  const fail = (action: string, key: string, error: unknown): never => {
    throw new StorageError(`[storage:s3] ${action} s3://${bucket}/${key}: ${(error as Error).message}. Check the bucket exists and the credentials may use it.`, { cause: error });
  };
  const list = async (prefix: string): Promise<string[]> => {
    const keys: string[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (error) {
      fail('LIST', prefix, error);
    }
    return keys.sort();
  };
  const removeAll = async (keys: readonly string[]) => {
    for (let i = 0; i < keys.length; i += 1000) {
      const out = await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true } }));
      // A key S3 refused (AccessDenied for a role without s3:DeleteObject there) comes back here, not as an exception.
      const refused = out.Errors?.[0];
      if (refused) throw new StorageError(`[storage:s3] DELETE s3://${bucket}/${refused.Key}: ${refused.Code ?? 'error'} ${refused.Message ?? ''} (and ${out.Errors!.length - 1} more). Check the credentials may call s3:DeleteObject there.`);
    }
  };
  return {
    driverName: DRIVER_NAME,
    location: `s3://${bucket}`,
    client,
    async get(key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: assertSafeKey(key) }));
        return await out.Body!.transformToByteArray();
      } catch (error) {
        if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
        return fail('GET', key, error);
      }
    },
    list: (prefix) => list(prefix),
    async put(key, body) {
      try {
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: assertSafeKey(key), Body: body }));
      } catch (error) {
        fail('PUT', key, error);
      }
    },
    async delete(key) {
      try {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: assertSafeKey(key) }));
      } catch (error) {
        fail('DELETE', key, error);
      }
    },
    async sweepStaging(now = Date.now()) {
      // S3 cannot tell which writer is alive: staging older than any partition takes to stage was left by a crash.
      const old = new Set<string>();
      const stale: string[] = [];
      let token: string | undefined;
      try {
        do {
          const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'tmp/', ContinuationToken: token }));
          for (const o of page.Contents ?? []) {
            if (!o.Key || now - (o.LastModified?.getTime() ?? 0) < STAGING_MAX_AGE_MS) continue;
            stale.push(o.Key);
            old.add(o.Key.split('/').slice(0, 2).join('/'));
          }
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
        await removeAll(stale);
      } catch (error) {
        fail('SWEEP', 'tmp/', error);
      }
      return old.size;
    },
    async replacePartition(prefix, objects: readonly StoredObject[]) {
      const base = assertSafeKey(prefix.replace(/\/$/, ''));
      const staging = `tmp/${randomBytes(6).toString('hex')}`;
      const staged: string[] = [];
      // Many requests at once: a season of game facts is one object per game day, and the shorter the copy, the
      // shorter the moment a reader can see old and new objects side by side.
      const limit = pLimit(16);
      try {
        await Promise.all(objects.map((o) => limit(async () => {
          const key = `${staging}/${assertSafeKey(o.name)}`;
          staged.push(key);
          await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: o.body }));
        })));
        const wanted = new Set(objects.map((o) => `${base}/${o.name}`));
        await Promise.all(objects.map((o) => limit(() => client.send(new CopyObjectCommand({ Bucket: bucket, Key: `${base}/${o.name}`, CopySource: `${bucket}/${staging}/${o.name}` })))));
        await removeAll((await list(`${base}/`)).filter((k) => !wanted.has(k)));
      } catch (error) {
        // The first error is the one to report; the staging goes if it can (else the next writing command sweeps it).
        await removeAll(staged).catch(() => undefined);
        fail('PUT', prefix, error);
      }
      // Outside the try: a staging that cannot be deleted (a role without s3:DeleteObject on tmp/) is said, not hidden.
      await removeAll(staged).catch((error: unknown) => fail('DELETE', 'tmp/', error));
    },
  };
}
