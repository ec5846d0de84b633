/** The declared record type of each raw asset: the response type of the endpoint that feeds it. */
import type { EndpointFunction } from '../../src/cbbd/endpoints.ts';
import type { FieldType } from '../../src/lake/schema/field-types.ts';
import { ENDPOINT_ASSETS } from '../raw/endpoint-assets.ts';
import { RECORD_TYPES } from './schemas.gen.ts';

export function recordTypeOf(rawKey: string): FieldType {
  const fn = (Object.keys(ENDPOINT_ASSETS) as EndpointFunction[]).find((f) => ENDPOINT_ASSETS[f].assets.includes(rawKey));
  if (!fn) throw new Error(`no endpoint feeds ${rawKey}`);
  return RECORD_TYPES[fn];
}
