import { fileURLToPath } from 'node:url';

/** The checkout's root: this file runs from dist/bench/harness/. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Entry points the benchmarks start as processes of their own. */
export const eschatMain = fileURLToPath(new URL('../../src/main.js', import.meta.url));
/** eschat serve without the encrypting store: crypto's baseline only. */
export const plainServerMain = fileURLToPath(new URL('../plain-server/plain-server-main.js', import.meta.url));
export const relayMain = fileURLToPath(new URL('../relay/relay-main.js', import.meta.url));
export const connectionWorkerMain = fileURLToPath(new URL('../benches/connection-worker.js', import.meta.url));
export const pairWorkerMain = fileURLToPath(new URL('../benches/pair-worker.js', import.meta.url));
export const fanoutWorkerMain = fileURLToPath(new URL('../benches/fanout-worker.js', import.meta.url));

/** Generated logs and profiles, kept between runs (gitignored). */
export const cacheDir = fileURLToPath(new URL('../../../bench/.cache/', import.meta.url));

/** The development certificates eschat generates and reuses (`priv/ssl`), for `--tls`. */
export const tlsDir = fileURLToPath(new URL('../../../priv/ssl/', import.meta.url));
