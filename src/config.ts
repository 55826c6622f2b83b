/**
 * Configuration: defaults < TOML file (`eschat.toml` or `--config FILE`) < environment
 * (`ESCHAT_*`) < command-line flags. A bad value stops the start with a message naming it.
 */

export interface Config {
  /** `sqlite:./data/events.db` (embedded) or `esdb://...` / `kurrentdb://...`. */
  eventStore: string;
  /** `memory` (embedded) or `mongodb://...`. */
  readStore: string;
  /** `full`: the SQLite log is synced to disk before an append resolves; `normal`: not. */
  durability: 'full' | 'normal';
  /** Data directory for the embedded stores and media. */
  dataDir: string;
  /** Host the HTTP(S) server binds. */
  host: string;
  port: number;
  imPort: number;
  /** Host name announced to IM clients by /server/login. */
  publicHost: string;
  tls: {
    enabled: boolean;
    /** Where development certificates are created on first start. */
    dir: string;
    certFile?: string;
    keyFile?: string;
    caFile?: string;
  };
  /** Logins allowed on /v1/admin. */
  admins: string[];
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  limits: {
    bodyBytes: number;
    uploadBytes: number;
    frameBytes: number;
    loginFailures: number;
    loginWindowSeconds: number;
    messagesPerSecond: number;
    messageBurst: number;
  };
  /** Origins allowed to open browser WebSockets; empty means any. */
  allowedOrigins: string[];
}
