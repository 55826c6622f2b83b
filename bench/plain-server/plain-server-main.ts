/**
 * eschat without crypto-shredding, for the benchmarks only: `eschat serve` itself (the same flags,
 * configuration and log lines, src/cli/serve-command.ts), with the log opened as its adapter behind
 * upcasting, so personal data is stored in clear. The baseline of `crypto`'s server throughput
 * figure; no setting of eschat leads here.
 */
import { Command } from 'commander';
import { startServer } from '../../src/app.js';
import { serveCommand } from '../../src/cli/serve-command.js';
import { openPlainLog } from './plain-log.js';

const program = new Command('eschat-plain').description('eschat with its log unencrypted (benchmark baseline)');
serveCommand(program, (config, log) => startServer(config, log, { openLog: openPlainLog }));
await program.parseAsync(process.argv);
