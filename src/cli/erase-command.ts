import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { CommandRefused } from '../commands/decider.js';
import { personOf } from '../queries/audit/people.js';
import { openEventStore, openMediaStoreAlone, openPersonKeys } from '../store/open-stores.js';
import { eraseUser } from '../use-cases/erase-user.js';
import { idArgument } from './arguments.js';
import { CliFailure, cliAction } from './cli-failure.js';
import { Output, type OutputOptions } from './output.js';
import { configOf, openLog, withStoreOptions, type StoreOptions } from './store-options.js';

interface EraseFlags extends StoreOptions, OutputOptions {
  yes?: boolean;
}

/** Asks at a terminal; anywhere else an erasure must be asked for with --yes, never assumed. */
async function confirmed(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw new CliFailure('not at a terminal: add --yes to erase without being asked', 2);
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await terminal.question(`${question} Type "yes" to erase: `)).trim().toLowerCase() === 'yes';
  } finally {
    terminal.close();
  }
}

async function erase(id: string, flags: EraseFlags): Promise<void> {
  const output = new Output(flags);
  const userId = idArgument(id, 'the user id');
  const config = configOf(flags);
  const keys = await openPersonKeys(config);
  const store = await openLog(config, (settings) => openEventStore(settings, keys));
  const media = await openMediaStoreAlone(config);
  try {
    const person = await personOf(store, userId);
    if (person === null) throw new CliFailure(`no user ${userId} in the log`);
    const label = `${person.login ?? person.name} (#${userId})`;
    if (flags.yes !== true && !(await confirmed(`This erases the personal data of ${label} for good, in every copy of the log.`))) {
      throw new CliFailure('nothing erased');
    }
    const erasure = await eraseUser({ store, keys, media: media.media }, userId, null, { correlationId: `cli-erase-${userId}` });
    const outcome = { user: userId, erased: true, alreadyErased: erasure.position === null, mediaDeleted: erasure.mediaDeleted };
    if (output.json) output.line(outcome);
    else
      console.error(
        `eschat: ${outcome.alreadyErased ? 'user was already erased; key and files deleted again' : `erased user ${label}`}` +
          ` (${erasure.mediaDeleted} files deleted)`,
      );
  } catch (error) {
    if (error instanceof CommandRefused) throw new CliFailure(`no user ${userId} in the log`);
    throw error;
  } finally {
    await media.close();
    await store.close();
  }
}

/**
 * `eschat erase user <id>`: crypto-shredding of one person (README, "Erasure"), against the
 * configured log and key store; a running server sharing them follows the UserErased it records.
 */
export function eraseCommand(program: Command): void {
  const parent = program.command('erase').description("erase a person's personal data from the log for good (crypto-shredding)");
  withStoreOptions(parent.command('user <id>').description('record UserErased, delete their key, their files and end their sessions'))
    .option('--yes', 'do not ask for confirmation (required when not at a terminal)')
    .option('--json', 'print the outcome as JSON on stdout')
    .action(cliAction(erase));
}
