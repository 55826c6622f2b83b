#!/usr/bin/env node
import { Command } from 'commander';
import { serveCommand } from './serve-command.js';

const program = new Command('eschat').description('event-sourced chat server');
serveCommand(program);
await program.parseAsync(process.argv);
