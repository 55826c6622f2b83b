import type { EntryOptions } from './entry.js';
import type { ScanProgress } from './log-scan.js';
import type { AuditMoment } from './moment.js';

/** What every audit is asked with. */
export interface AuditOptions extends EntryOptions {
  /** Look at the log as it was then; null or absent: now. */
  moment?: AuditMoment | null;
  /** Told as a scan of the log goes, for a progress bar. */
  onProgress?: (progress: ScanProgress) => void;
}
