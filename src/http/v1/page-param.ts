import type { V1ErrorCode } from '../../codecs/v1/v1-error-codes.js';
import { integerParam } from '../integer-param.js';
import { V1Error } from './v1-error.js';

/** A paging query parameter (`limit`, `before`): absent gives the default, present must be an integer in range. */
export function pageParam(text: unknown, fallback: number | null, max: number, code: V1ErrorCode): number | null {
  if (text === undefined) return fallback;
  const value = integerParam(text, 1);
  if (value === null || value > max) throw new V1Error(422, code);
  return value;
}
