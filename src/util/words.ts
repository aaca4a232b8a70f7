/** `n` with its noun, singular for one: `counted(1, 'placement')` = '1 placement', `counted(2, 'child unit')` = '2 child units'. */
export function counted(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString('en-GB')} ${n === 1 ? singular : plural}`;
}

/** 'a', 'a and b', 'a, b and c'. */
export function listed(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * A name quoted in running text: “Q3 plan”. A name that has double quotes of its own (a snapshot named
 * Live before import “people.csv”) takes single ones around it, never quotes inside quotes of the same kind.
 */
export function quoted(name: string): string {
  return /[“”"]/.test(name) ? `‘${name}’` : `“${name}”`;
}

/** A name as names are compared (scenarios, sibling units, a scenario given by name): case, surrounding spaces and runs of spaces ignored. */
export function nameKey(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLocaleLowerCase('en');
}

/** Text as searched: lower-cased words without accents, one space between them ("Zoë O'Brien-Smith" → "zoe o brien smith"). */
export function plainWords(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .join(' ');
}
