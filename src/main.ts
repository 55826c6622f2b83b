#!/usr/bin/env node
/** The `eschat` command: the CLI's commands, with the composition root behind `serve`. */
import { Command } from 'commander';
import { startServer } from './app.js';
import { auditCommand } from './cli/audit-command.js';
import { eraseCommand } from './cli/erase-command.js';
import { eventsCommand } from './cli/events-command.js';
import { eventsCopyCommand } from './cli/events-copy-command.js';
import { projectionsCommand } from './cli/projections-command.js';
import { serveCommand } from './cli/serve-command.js';

const program = new Command('eschat').description('event-sourced chat server');
serveCommand(program, startServer);
projectionsCommand(program);
eventsCommand(program);
eventsCopyCommand(program);
auditCommand(program);
eraseCommand(program);
await program.parseAsync(process.argv);
