import { styleText } from 'node:util';

export type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan';

/** Styles text for one output stream, or leaves it plain. */
export type Paint = (style: Style, text: string) => string;

/** Colour only for a person at a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function colourWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && (env['NO_COLOR'] ?? '') === '';
}

export function painter(colour: boolean): Paint {
  // The decision is ours (colourWanted): styleText is told not to second-guess it.
  return colour ? (style, text) => styleText(style, text, { validateStream: false }) : (_style, text) => text;
}
