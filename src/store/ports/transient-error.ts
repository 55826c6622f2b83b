/**
 * Whether a read store's error is transient: the same write may succeed if tried again, and
 * nothing of it was applied (a fenced batch is all or nothing). Duck-typed on the shapes the
 * drivers give, so the port needs neither driver:
 * - MongoDB: an error labelled TransientTransactionError, RetryableWriteError or
 *   UnknownTransactionCommitResult (the driver's own verdict that a retry is safe), or one of
 *   its network and server-selection errors (a primary stepping down, a dropped connection);
 * - SQLite: SQLITE_BUSY (another process held the write lock past the busy timeout).
 * Anything else (a duplicate key, a bad update, a full disk) is not: retrying cannot help.
 * The error's `cause` is looked at too (the port wraps some driver errors).
 */
export function isTransient(error: unknown): boolean {
  for (let current = error, depth = 0; isRecord(current) && depth < 3; current = current.cause, depth++) {
    if (typeof current.code === 'string' && current.code.startsWith('SQLITE_BUSY')) return true;
    if (typeof current.name === 'string' && MONGO_TRANSIENT_NAMES.has(current.name)) return true;
    const labels = current.errorLabels;
    if (Array.isArray(labels) && labels.some((label) => MONGO_TRANSIENT_LABELS.has(String(label)))) return true;
  }
  return false;
}

const MONGO_TRANSIENT_LABELS = new Set(['TransientTransactionError', 'RetryableWriteError', 'UnknownTransactionCommitResult']);
const MONGO_TRANSIENT_NAMES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoPoolClearedError',
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
