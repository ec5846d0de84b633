/** The declared record type of each raw asset: the response type of the endpoint that feeds it. */
import { ENDPOINTS } from '../../src/cbbd/endpoints.ts';
import type { FieldType } from '../../src/lake/schema/field-types.ts';
import { RECORD_TYPES } from './schemas.gen.ts';

export function recordTypeOf(rawKey: string): FieldType {
  const fn = (Object.keys(ENDPOINTS) as (keyof typeof ENDPOINTS)[]).find((f) => ENDPOINTS[f].assets.includes(rawKey));
  if (!fn) throw new Error(`no endpoint feeds ${rawKey}`);
  return RECORD_TYPES[fn];
}
