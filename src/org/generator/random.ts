/**
 * Seeded randomness for the generator: a 128-bit string hash (cyrb128) seeds an sfc32 stream. Nothing here reads
 * the clock or Math.random, so the same seed always yields the same sequence.
 */

/** cyrb128: four 32-bit words from a string, good enough to spread nearby seeds apart. */
export function hashSeed(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** sfc32 generator with the small helpers the generator needs. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string) {
    [this.a, this.b, this.c, this.d] = hashSeed(seed);
    // The first outputs of sfc32 still correlate with the seed words; discard them.
    for (let i = 0; i < 15; i++) this.uint32();
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A float in [min, max). */
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Picks a value from `[value, weight]` pairs in proportion to the weights. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, weight] of entries) total += weight;
    let roll = this.next() * total;
    for (const [value, weight] of entries) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return entries[entries.length - 1][0];
  }

  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

const HEX_PREFIX = /^[0-9a-f]{1,8}$/;
const HEX_CODES = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const DASH = '-'.charCodeAt(0);

/** murmur3's finaliser: a bijection on 32-bit integers, so distinct inputs stay distinct but look random. */
function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Deterministic v4-shaped UUIDs from a stream seeded by the seed and the salt. The last 32 bits are a bijection of
 * the counter, so ids never collide within one run. A salt of 1–8 hex digits is also written at the start of every
 * id, so a tenant's ids are recognisable.
 */
export class IdFactory {
  private readonly rng: Rng;
  private readonly offset: number;
  private readonly prefix: number[];
  /** Built char by char and turned into one flat string: template concatenation would keep rope nodes per id. */
  private readonly chars: number[] = new Array<number>(36).fill(DASH);
  private counter = 0;

  constructor(seed: string, salt: string) {
    this.rng = new Rng(`${seed}\u0000ids\u0000${salt}`);
    this.offset = this.rng.uint32();
    const lower = salt.toLowerCase();
    this.prefix = HEX_PREFIX.test(lower) ? Array.from(lower, (c) => c.charCodeAt(0)) : [];
  }

  next(): string {
    const { chars, rng } = this;
    this.writeHex(0, 8, rng.uint32());
    this.writeHex(9, 4, rng.uint32());
    this.writeHex(14, 4, (rng.uint32() & 0x0fff) | 0x4000);
    this.writeHex(19, 4, (rng.uint32() & 0x3fff) | 0x8000);
    this.writeHex(24, 4, rng.uint32());
    this.writeHex(28, 8, fmix32(this.counter++ + this.offset));
    for (let i = 0; i < this.prefix.length; i++) chars[i] = this.prefix[i];
    return String.fromCharCode(...chars);
  }

  private writeHex(at: number, digits: number, value: number): void {
    for (let i = digits - 1, v = value; i >= 0; i--, v >>>= 4) this.chars[at + i] = HEX_CODES[v & 15];
  }
}
