import { describe, expect, it } from 'vitest';
import { money } from '../../src/cli/client/output.js';

describe('orgonaut prints money in the units of its currency', () => {
  it('cents as decimals, the yen (no minor unit) as whole yen, an unconvertible figure as ?', () => {
    expect(money({ amount_minor: 123_456, currency: 'EUR' })).toBe('1,234.56 EUR');
    expect(money({ amount_minor: 6_000_000, currency: 'JPY' })).toBe('6,000,000 JPY');
    expect(money({ amount_minor: 1_234_567, currency: 'BHD' })).toBe('1,234.567 BHD');
    expect(money({ amount_minor: null, currency: 'GBP' })).toBe('? GBP');
    expect(money(null)).toBe('-');
  });
});
