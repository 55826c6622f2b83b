import type { Command } from 'commander';
import { auditMessage } from '../queries/audit/message.js';
import type { AuditOptions } from '../queries/audit/options.js';
import { auditRoom } from '../queries/audit/room.js';
import { auditStream } from '../queries/audit/stream.js';
import { auditUser } from '../queries/audit/user.js';
import type { EventStore } from '../store/ports/event-store.js';
import { printEntries, printMessageAudit, printRoomAudit, printUserAudit } from './audit-render.js';
import { idArgument, momentArgument } from './arguments.js';
import { CliFailure, cliAction } from './cli-failure.js';
import { Output, type OutputOptions } from './output.js';
import { progressBar } from './progress.js';
import { configOf, openLog, withStoreOptions, type StoreOptions } from './store-options.js';

interface AuditFlags extends StoreOptions, OutputOptions {
  at?: string;
  withContent?: boolean;
}

/**
 * Runs one audit against the configured log, read-only, with a progress bar for scans; the
 * store is closed whatever happens.
 */
async function audit(flags: AuditFlags, work: (store: EventStore, options: AuditOptions, output: Output) => Promise<void>): Promise<void> {
  const output = new Output(flags);
  const moment = momentArgument(flags.at);
  const store = await openLog(configOf(flags));
  const progress = progressBar('scanning the log');
  try {
    const options: AuditOptions = {
      withContent: flags.withContent === true,
      moment,
      onProgress: ({ position, head, events }) => progress.update(position, head, events),
    };
    await work(store, options, output);
  } finally {
    progress.stop();
    await store.close();
  }
}

function auditSubcommand(parent: Command, usage: string, description: string, withMoment = true): Command {
  const command = withStoreOptions(parent.command(usage).description(description))
    .option('--json', 'JSON lines instead of tables')
    .option('--with-content', 'include message texts and contact greetings')
    .option('--limit <rows>', 'rows per table, the most recent (default 1000; 0: all); --json prints all');
  return withMoment ? command.option('--at <moment>', 'as of an ISO-8601 time or a log position') : command;
}

/** `eschat audit stream|user|room|message`: who did what and when, computed from the log. */
export function auditCommand(program: Command): void {
  const parent = program.command('audit').description('who did what and when, and how things were, from the event log (read-only)');

  auditSubcommand(parent, 'stream <name>', 'every event of one stream, e.g. room-3, user-12, contact-3-9').action(
    cliAction(async (name: string, flags: AuditFlags) =>
      audit(flags, async (store, options, output) => {
        const entries = await auditStream(store, name, options);
        if (entries.length === 0) throw new CliFailure(`no stream ${name} in the log${flags.at ? ` at ${flags.at}` : ''}`);
        printEntries(output, `Stream ${name}`, entries);
      }),
    ),
  );

  auditSubcommand(parent, 'user <id>', 'everything by or about a user: registration, sign-ins, contacts, rooms, messages').action(
    cliAction(async (id: string, flags: AuditFlags) =>
      audit(flags, async (store, options, output) => {
        const result = await auditUser(store, idArgument(id, 'the user id'), options);
        if (!result) throw new CliFailure(`no user ${id} in the log${flags.at ? ` at ${flags.at}` : ''}`);
        printUserAudit(output, result);
      }),
    ),
  );

  auditSubcommand(parent, 'room <id>', 'a room as it was: name, kind, creator, members, key rotations, history').action(
    cliAction(async (id: string, flags: AuditFlags) =>
      audit(flags, async (store, options, output) => {
        const result = await auditRoom(store, idArgument(id, 'the room id'), options);
        if (!result) throw new CliFailure(`no room ${id} in the log${flags.at ? ` at ${flags.at}` : ''}`);
        printRoomAudit(output, result);
      }),
    ),
  );

  auditSubcommand(parent, 'message <id>', 'one message (its id is the log position of its MessageSent) and its room then', false).action(
    cliAction(async (id: string, flags: AuditFlags) =>
      audit(flags, async (store, options, output) => {
        const result = await auditMessage(store, idArgument(id, 'the message id'), options);
        if (!result) throw new CliFailure(`no message ${id} in the log`);
        printMessageAudit(output, result);
      }),
    ),
  );
}
