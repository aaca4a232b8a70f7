/**
 * How long the pay amount of a row is for, as HR exports say it: a period column (BambooHR “Pay Per”, HiBob “Salary pay
 * period”, Personio “Salary interval”, Workday “Frequency”), a pay type column (BambooHR “Pay Type”: Salary, Hourly,
 * Daily) or the amount itself (“EUR 5,000/month”). Orgonaut keeps an annual base salary or a day rate
 * (SPEC: compensation), so a period is turned into one of those — or, for pay by the hour, into a refusal. Pure.
 */

export type PayPeriod = 'year' | 'quarter' | 'month' | 'semimonth' | 'fortnight' | 'week' | 'day' | 'hour';

/** How many of a period a year has: an amount for the period × this is the annual salary. */
export const PERIODS_PER_YEAR: Record<Exclude<PayPeriod, 'day' | 'hour'>, number> = { year: 1, quarter: 4, month: 12, semimonth: 24, fortnight: 26, week: 52 };

/** The period's name as the import says it back (“per month”). */
export const PERIOD_NAMES: Record<PayPeriod, string> = { year: 'year', quarter: 'quarter', month: 'month', semimonth: 'half month', fortnight: 'two weeks', week: 'week', day: 'day', hour: 'hour' };

/**
 * Period words of HR exports, lowercased with spaces, hyphens and dots dropped: English, German (Personio), French and
 * Spanish. BambooHR's “Pay Period” (per pay period) says no length, so it is none of them.
 */
const PERIOD_WORDS: Record<PayPeriod, readonly string[]> = {
  year: ['year', 'years', 'yearly', 'annual', 'annually', 'annum', 'perannum', 'peryear', 'ayear', 'pa', 'yr', 'y', 'jahr', 'jahrlich', 'proj', 'annuel', 'annuelle', 'an', 'anual', 'ano', 'anio'],
  quarter: ['quarter', 'quarterly', 'perquarter', 'quartal', 'quartalsweise', 'vierteljahrlich', 'trimestre', 'trimestriel', 'trimestral'],
  month: ['month', 'months', 'monthly', 'permonth', 'amonth', 'mo', 'mth', 'pm', 'monat', 'monatlich', 'mensuel', 'mensuelle', 'mois', 'mensual', 'mes'],
  semimonth: ['semimonthly', 'semimonth', 'twiceamonth', 'halbmonatlich', 'bimensuel', 'quincenal'],
  fortnight: ['biweekly', 'fortnightly', 'fortnight', 'everytwoweeks', 'everyotherweek', 'zweiwochentlich', 'quinzaine'],
  week: ['week', 'weeks', 'weekly', 'perweek', 'aweek', 'wk', 'woche', 'wochentlich', 'hebdomadaire', 'semaine', 'semanal', 'semana'],
  day: ['day', 'days', 'daily', 'perday', 'aday', 'd', 'tag', 'taglich', 'tagessatz', 'jour', 'journalier', 'journaliere', 'dia', 'diario'],
  hour: ['hour', 'hours', 'hourly', 'perhour', 'anhour', 'hr', 'hrs', 'h', 'stunde', 'stundlich', 'stundenlohn', 'heure', 'horaire', 'hora', 'porhora'],
};

const BY_WORD: ReadonlyMap<string, PayPeriod> = new Map(Object.entries(PERIOD_WORDS).flatMap(([period, words]) => words.map((w) => [w, period as PayPeriod])));

/** `Per Month` ≡ `permonth`, `Bi-weekly` ≡ `biweekly`, `Jährlich` ≡ `jahrlich`. */
function wordKey(value: string): string {
  return value.toLowerCase().normalize('NFD').replace(/\p{M}+/gu, '').replace(/[^a-z]+/g, '');
}

/** The period a period column's cell names (“Monthly”, “Year”, “monatlich”), or null when it names none. */
export function periodNamed(value: string): PayPeriod | null {
  return BY_WORD.get(wordKey(value)) ?? null;
}

/**
 * The period a pay type says, when it says one: hourly pay types (BambooHR's “Hourly”, “Exception Hourly”, Workday's
 * “Hourly”) are by the hour, daily ones by the day. Salary, Commission, Contract… say nothing about the amount's period.
 */
export function periodOfPayType(value: string): PayPeriod | null {
  const words = value.toLowerCase().split(/[^a-zäöü]+/);
  if (words.some((w) => w === 'hourly' || w === 'hour' || w === 'stundenlohn' || w === 'horaire')) return 'hour';
  if (words.some((w) => w === 'daily' || w === 'day' || w === 'tagessatz' || w === 'journalier')) return 'day';
  return null;
}

/** A period written after an amount: `/month`, `/ mo`, ` per hour`, ` p.a.`, ` a year`, ` pro Monat`. */
const PERIOD_AFTER_AMOUNT = /\s*(?:\/|\bper\b|\bpro\b|\bpar\b|\ba\b|\ban\b)\s*([\p{L}.]+)\.?\s*$|\s+(p\.?\s?a\.?)$/iu;

/** An amount with its period written after it (“5,000/month”, “40 per hour”, “85000 p.a.”): the amount and the period. */
export function periodInAmount(value: string): { text: string; period: PayPeriod | null } {
  const match = PERIOD_AFTER_AMOUNT.exec(value);
  if (!match) return { text: value, period: null };
  const period = periodNamed(match[1] ?? match[2]!);
  return period ? { text: value.slice(0, match.index), period } : { text: value, period: null };
}
