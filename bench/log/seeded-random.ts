/** A seeded generator (mulberry32): the same log every time for the same seed. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
}

const WORDS =
  'ok yes no see you later lunch today tomorrow meeting call me when free thanks sure great the a photo file sent check this out where are we going tonight on my way running late sorry love it haha nice weekend plan train home work done'.split(
    ' ',
  );

/** A chat line of 1 to 30 words: the lengths people type, not a fixed payload. */
export function chatText(random: SeededRandom): string {
  const words: string[] = [];
  const count = random.chance(0.8) ? random.int(1, 8) : random.int(9, 30);
  for (let i = 0; i < count; i++) words.push(random.pick(WORDS));
  return words.join(' ');
}
