import { describe, expect, it } from 'vitest';
import { fieldValue, fte, metricLabel, money, rate, span } from '../../src/cli/client/output.js';

describe('orgonaut prints money in the units of its currency', () => {
  it('cents as decimals, the yen (no minor unit) as whole yen, an unconvertible figure as ?', () => {
    expect(money({ amount_minor: 123_456, currency: 'EUR' })).toBe('1,234.56 EUR');
    expect(money({ amount_minor: 6_000_000, currency: 'JPY' })).toBe('6,000,000 JPY');
    expect(money({ amount_minor: 1_234_567, currency: 'BHD' })).toBe('1,234.567 BHD');
    expect(money({ amount_minor: null, currency: 'GBP' })).toBe('? GBP');
    expect(money(null)).toBe('-');
  });
});

describe('orgonaut prints every FTE figure one way', () => {
  it('with two decimals, a rise signed, a missing figure as nothing, never -0.00', () => {
    expect([1, 0.5, 0.85, 12, 7.499].map((n) => fte(n))).toEqual(['1.00', '0.50', '0.85', '12.00', '7.50']);
    expect([0.3, -0.1, 0, -0.001].map((n) => fte(n, true))).toEqual(['+0.30', '-0.10', '0.00', '0.00']);
    expect(fte(null)).toBeUndefined();
    expect(fieldValue('planned_fte', 1)).toBe('1.00');
    expect(fieldValue('allocation_pct', 60)).toBe('60');
  });

  it('prints spans of control with two decimals and exchange rates with four, each kind one way', () => {
    expect([10.5, 5.4444, 3, 0].map((n) => span(n))).toEqual(['10.50', '5.44', '3.00', '0.00']);
    expect(span(0.25, true)).toBe('+0.25');
    expect([1, 1.17, 0.00615, 0.9].map((n) => rate(n))).toEqual(['1.0000', '1.1700', '0.0062', '0.9000']);
    expect(rate(null)).toBeUndefined();
  });

  it('names metrics in words, known ones as people call them and any other key spelt out', () => {
    expect(['effective_fte', 'annual_cost_minor', 'span_average', 'vacant_positions'].map(metricLabel)).toEqual(['Effective FTE', 'Annual cost', 'Span of control (average)', 'Vacant positions']);
    expect(['vacancyRate', 'cost_per_fte_minor'].map(metricLabel)).toEqual(['Vacancy rate', 'Cost per FTE']);
    // A budget, not pay: said so beside the annual cost, never read as more payroll.
    expect(metricLabel('vacant_seats_annual_cost_minor')).toBe('Vacant seats, budgeted (annual, not paid)');
  });
});
