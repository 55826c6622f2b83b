import { ESLint } from 'eslint';
import { expect } from 'chai';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file runs from dist/test/lint/. */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The `eschat/layers` messages ESLint, with the repository's own config, gives `code` at `file`. */
async function layerErrors(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).filter((message) => message.ruleId === 'eschat/layers').map((message) => message.message);
}

describe('the layer lint rule', function () {
  this.timeout(60_000);

  const refused: [file: string, code: string, why: RegExp][] = [
    ['src/events/x.ts', "import type { Route } from '../http/route.js';\nexport type X = Route<never>;\n", /events may not import http/],
    ['src/store/sqlite/x.ts', "export * from '../memory/memory-copy.js';\n", /store\/sqlite may not import store\/memory/],
    ['src/realtime/im/x.ts', "export * from '../v1/v1-frames.js';\n", /realtime\/im may not import realtime\/v1/],
    ['src/codecs/v1/x.ts', "export * from '../im/toml-frame.js';\n", /codecs\/v1 may not import codecs\/im/],
    ['src/commands/x.ts', "export * from '../projections/rooms.js';\n", /sibling layers/],
    ['src/store/ports/x.ts', "export * from '../open-stores.js';\n", /base room/],
    ['src/queries/x.ts', "export const load = () => import('../http/route.js');\n", /queries may not import http/],
  ];
  for (const [file, code, why] of refused) {
    it(`refuses ${file} importing ${/'([^']+)'/.exec(code)?.[1]}`, async () => {
      const errors = await layerErrors(file, code);
      expect(errors).to.have.length(1);
      expect(errors[0]).to.match(why);
    });
  }

  const allowed: [file: string, code: string][] = [
    ['src/http/x.ts', "export * from '../events/room.js';\n"],
    ['src/store/sqlite/x.ts', "export * from '../ports/event-store.js';\n"],
    ['src/realtime/im/x.ts', "export * from '../delivery/delivery.js';\n"],
    ['src/store/x.ts', "export * from './sqlite/sqlite-event-store.js';\n"],
    ['src/codecs/im/x.ts', "export * from './toml-frame.js';\n"],
  ];
  for (const [file, code] of allowed) {
    it(`lets ${file} import ${/'([^']+)'/.exec(code)?.[1]}`, async () => {
      expect(await layerErrors(file, code)).to.deep.equal([]);
    });
  }
});
