import { seededRandom, type Random } from '../codecs/im/random.js';

/**
 * The seed of a generated run: ESCHAT_FUZZ_SEED replays a failure, otherwise a fresh one.
 * Printed, so that any failure can be replayed with the same inputs.
 */
export function fuzzRandom(suite: string): { seed: number; random: Random } {
  const given = process.env['ESCHAT_FUZZ_SEED'];
  const seed = given && /^\d+$/.test(given) ? Number(given) : Math.floor(Math.random() * 2 ** 31);
  console.log(`      ${suite}: seed ${seed} (replay with ESCHAT_FUZZ_SEED=${seed})`);
  return { seed, random: seededRandom(seed) };
}
