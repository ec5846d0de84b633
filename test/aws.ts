/** For the AWS driver tests: the emulator's settings, and whether it runs here. */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { AwsSettings } from '../src/lake/aws.ts';

export const moto = inject('moto');
export const motoAvailable = !moto.startsWith('unavailable');

export const awsSettings: AwsSettings = {
  region: 'us-east-1',
  endpoint: motoAvailable ? moto : 'http://127.0.0.1:9',
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
};

/** A name no other test uses: the emulator is shared by every test of the run. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}
