#!/usr/bin/env node
import { Command } from 'commander';
import { auditCommand } from './audit-command.js';
import { eventsCommand } from './events-command.js';
import { eventsCopyCommand } from './events-copy-command.js';
import { projectionsCommand } from './projections-command.js';
import { serveCommand } from './serve-command.js';

const program = new Command('eschat').description('event-sourced chat server');
serveCommand(program);
projectionsCommand(program);
eventsCommand(program);
eventsCopyCommand(program);
auditCommand(program);
await program.parseAsync(process.argv);
