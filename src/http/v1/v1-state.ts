import type { Caller } from '../auth.js';

/** Koa state of a v1 request; `caller` is set on every route whose access is not public. */
export interface V1State {
  caller: Caller;
}
