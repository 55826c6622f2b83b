import type { Caller } from '../auth.js';

/** Koa state of an im request; `caller` is set on every route whose access is not public. */
export interface ImState {
  caller: Caller;
}
