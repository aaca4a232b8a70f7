import type { Rng } from './random.js';

/** Given names from many regions, so a generated roster looks like an international company. */
export const FIRST_NAMES: readonly string[] = [
  'Aaliyah', 'Adebayo', 'Aditi', 'Ahmed', 'Aiko', 'Alejandro', 'Alessia', 'Amara', 'Amir', 'Ana',
  'Andrei', 'Anna', 'Arjun', 'Astrid', 'Ayesha', 'Beatriz', 'Ben', 'Camille', 'Carlos', 'Chen',
  'Chiara', 'Chloe', 'Chukwuemeka', 'Daniel', 'Daniela', 'David', 'Diego', 'Dmitri', 'Elena', 'Elif',
  'Emeka', 'Emily', 'Emma', 'Fatima', 'Felix', 'Finn', 'Francesca', 'Gabriel', 'Grace', 'Hana',
  'Hannah', 'Hiroshi', 'Ibrahim', 'Ines', 'Ingrid', 'Isabel', 'Ivan', 'Jakub', 'James', 'Javier',
  'Jia', 'Jonas', 'José', 'Julia', 'Kai', 'Kavya', 'Kenji', 'Kwame', 'Laila', 'Lars',
  'Laura', 'Leila', 'Leon', 'Li', 'Lucas', 'Lucía', 'Maja', 'Malik', 'Marco', 'María',
  'Mateo', 'Mei', 'Mohammed', 'Nadia', 'Nia', 'Nikhil', 'Noah', 'Nora', 'Olivia', 'Omar',
  'Oscar', 'Priya', 'Rafael', 'Rahul', 'Rania', 'Rosa', 'Sakura', 'Samuel', 'Sara', 'Sebastian',
  'Sofia', 'Sven', 'Tariq', 'Thomas', 'Tomás', 'Valentina', 'Wei', 'Yara', 'Yusuf', 'Zainab',
  'Zoe', 'Zoltán',
];

/** Family names from many regions. */
export const LAST_NAMES: readonly string[] = [
  'Abdullah', 'Adeyemi', 'Ahmed', 'Ali', 'Andersen', 'Bakker', 'Banerjee', 'Becker', 'Bianchi', 'Brown',
  'Castillo', 'Chen', 'Cohen', 'Costa', 'Da Silva', 'Dubois', 'Dvořák', 'Eriksson', 'Fernández', 'Fischer',
  'Garcia', 'Gonzalez', 'Gupta', 'Hansen', 'Hashemi', 'Hernández', 'Hoffmann', 'Horvat', 'Ibrahim', 'Ito',
  'Ivanova', 'Jansen', 'Johnson', 'Kaya', 'Khan', 'Kim', 'Kowalski', 'Kumar', 'Lambert', 'Larsen',
  'Lee', 'Lindqvist', 'Lopez', 'Martin', 'Martínez', 'Mehta', 'Mensah', 'Meyer', 'Moreau', 'Morales',
  'Müller', 'Murphy', 'Nakamura', 'Nguyen', 'Nielsen', 'Novak', 'Nowak', "O'Brien", 'Okafor', 'Okoye',
  'Olsen', 'Park', 'Patel', 'Pereira', 'Petrov', 'Popescu', 'Quispe', 'Rahman', 'Reddy', 'Ricci',
  'Rodriguez', 'Romano', 'Rossi', 'Said', 'Santos', 'Sato', 'Schmidt', 'Schneider', 'Shah', 'Silva',
  'Singh', 'Smith', 'Sokolov', 'Suzuki', 'Tan', 'Taylor', 'Thompson', 'Tanaka', 'Van Dijk', 'Vargas',
  'Virtanen', 'Wagner', 'Walsh', 'Wang', 'Weber', 'Williams', 'Wilson', 'Wong', 'Yamamoto', 'Yilmaz',
  'Zhang', 'Zimmermann',
];

/** Lower-case ASCII letters and digits only: "Müller" → "muller", "O'Brien" → "obrien". */
export function asciiSlug(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/** The mail domain of a company name ("Acme Corp" → "acmecorp.test"); `.test` never resolves (RFC 2606). */
export function companyDomain(companyName: string): string {
  return `${asciiSlug(companyName) || 'company'}.test`;
}

export interface PersonName {
  displayName: string;
  email: string;
}

/** Draws person names and hands out unique `first.last{n}@domain` emails. */
export class PersonNamer {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly rng: Rng,
    private readonly domain: string,
  ) {}

  next(): PersonName {
    const first = this.rng.pick(FIRST_NAMES);
    const last = this.rng.pick(LAST_NAMES);
    const local = `${asciiSlug(first)}.${asciiSlug(last)}`;
    const count = (this.seen.get(local) ?? 0) + 1;
    this.seen.set(local, count);
    // Names hold no digits, so "first.last2" can never collide with another person's plain address.
    const email = count === 1 ? `${local}@${this.domain}` : `${local}${count}@${this.domain}`;
    return { displayName: `${first} ${last}`, email };
  }
}

/** Names already used by some unit, shared by all pools so names stay unique across the whole organisation. */
export class UsedNames {
  private readonly used = new Set<string>();

  claim(name: string): boolean {
    if (this.used.has(name)) return false;
    this.used.add(name);
    return true;
  }
}

/**
 * Unique unit names from a function's vocabulary: plain bases first, then base + qualifier combinations, then the
 * combinations numbered ("Payments API 2"). `qualifiedFirst` starts with the combinations ("Enterprise EMEA").
 */
export class NamePool {
  private readonly queue: string[];
  private readonly combos: string[];
  private cursor = 0;
  private round = 1;

  constructor(
    rng: Rng,
    private readonly used: UsedNames,
    bases: readonly string[],
    qualifiers: readonly string[],
    qualifiedFirst = false,
  ) {
    // The first entry of each vocabulary is its flagship (e.g. "Office of the CEO"), so it is always used first.
    const plain = [bases[0], ...rng.shuffle(bases.slice(1))];
    const combos = bases.flatMap((base) => qualifiers.map((q) => `${base} ${q}`));
    this.combos = combos.length > 0 ? [combos[0], ...rng.shuffle(combos.slice(1))] : [];
    this.queue = qualifiedFirst ? [...this.combos, ...plain] : [...plain, ...this.combos];
    if (this.combos.length === 0) this.combos = plain;
  }

  next(): string {
    for (;;) {
      const name = this.candidate();
      if (this.used.claim(name)) return name;
    }
  }

  private candidate(): string {
    if (this.cursor < this.queue.length) return this.queue[this.cursor++];
    const index = this.cursor++ - this.queue.length;
    const combo = this.combos[index % this.combos.length];
    if (index % this.combos.length === 0) this.round++;
    return `${combo} ${this.round}`;
  }
}
