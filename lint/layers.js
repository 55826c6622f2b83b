// @ts-check
/**
 * The layer rule, as a lint rule: imports point down the layers of `src/`, never up or across.
 *
 * Top-level folders are layers; a folder may import its own layer and the layers below it.
 * Inside a folder, a room (a sub-folder: an adapter, a dialect) imports its own room, the
 * folder's root files and the folder's base room (`store/ports`, `realtime/delivery`); a base
 * room imports only itself. So an adapter never reaches into another adapter, and one dialect
 * never into the other.
 */
import path from 'node:path';

/** Lowest first. Folders on one line are siblings: neither imports the other. */
export const LAYERS = [
  ['events'],
  ['store'],
  ['commands', 'projections'],
  ['queries'],
  ['codecs'],
  ['use-cases'],
  ['platform'],
  ['http', 'realtime'],
  ['cli'],
  ['app.ts', 'main.ts'],
];

const BASE_ROOMS = { store: 'ports', realtime: 'delivery' };

/** @param {string} file absolute path @param {string} srcDir */
export function placeOf(file, srcDir) {
  const parts = path.relative(srcDir, file).split(path.sep);
  if (parts[0] === '..' || parts.length === 0) return null;
  const top = /** @type {string} */ (parts[0]);
  const layer = LAYERS.findIndex((names) => names.includes(top));
  const room = parts.length > 2 ? parts[1] : null;
  return { top, layer, room };
}

/** Why `from` may not import `to`, or null when it may. */
export function refusal(from, to) {
  if (from.layer < 0 || to.layer < 0) return null;
  if (to.layer > from.layer) return `${from.top} may not import ${to.top}: it is a higher layer`;
  if (to.layer === from.layer && to.top !== from.top) return `${from.top} may not import ${to.top}: they are sibling layers`;
  if (to.top !== from.top || from.room === to.room) return null;
  const base = BASE_ROOMS[/** @type {keyof typeof BASE_ROOMS} */ (from.top)];
  // Root files compose the folder's rooms.
  if (from.room === null) return null;
  if (from.room === base)
    return `${from.top}/${base} is the base room: it may not import ${to.room ? `${to.top}/${to.room}` : `the root of ${to.top}`}`;
  if (to.room === null || to.room === base) return null;
  return `${from.top}/${from.room} may not import ${to.top}/${to.room}: rooms of one folder stay out of each other`;
}

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: { type: 'problem', docs: { description: 'imports point down the layers of src/' }, schema: [] },
  create(context) {
    const file = context.filename;
    const srcDir = path.resolve(context.cwd, 'src');
    const from = placeOf(file, srcDir);
    if (!from) return {};
    /** @param {any} node */
    const check = (node) => {
      const source = node.source;
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const to = placeOf(path.resolve(path.dirname(file), source.value), srcDir);
      const why = to ? refusal(from, to) : null;
      if (why) context.report({ node: source, message: why });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

export default { rules: { layers: rule } };
