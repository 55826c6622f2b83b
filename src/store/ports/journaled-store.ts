/**
 * A store whose files keep a journal of earlier page images beside the data: SQLite's WAL. What
 * a transaction deleted or overwrote is still in the journal until it is folded into the file,
 * and a checkpoint alone leaves the journal's old frames in place (the file is reused, not
 * shortened): an erasure must empty it (README, "Erasure").
 */
export interface JournaledStore {
  /** Folds the journal into the data file and truncates it to nothing; false when a reader elsewhere kept it from finishing. */
  truncateJournal(): Promise<boolean>;
}

/** Whether a store of any port keeps a journal to truncate (the SQLite adapters do; memory and MongoDB do not). */
export function isJournaled<T extends object>(store: T): store is T & JournaledStore {
  return 'truncateJournal' in store && typeof store.truncateJournal === 'function';
}
