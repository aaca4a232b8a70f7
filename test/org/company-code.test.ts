import { describe, expect, it } from 'vitest';
import { generateOrg } from '../../src/org/generator/index.js';

/**
 * The generated company's code reads as a person would write it — "ACME" for Acme Corporation, not "ACMECORPORAT" —
 * and is never the code of another unit the generator makes (a unit's code finds it in a list `query` and `search`).
 */

function generated(companyName: string) {
  const { graph } = generateOrg({ actors: 60, seed: 'codes', companyName, reportingCurrency: 'EUR' });
  const units = [...graph.orgUnits.values()];
  const company = units.find((u) => u.type === 'company')!;
  return { code: company.code, others: units.filter((u) => u !== company).map((u) => u.code) };
}

describe('the generated company code', () => {
  it('is the first word of the name when that is 3 to 12 letters', () => {
    expect(generated('Acme Corporation').code).toBe('ACME');
    expect(generated('Müller & Söhne GmbH').code).toBe('MULLER');
    expect(generated('Globex').code).toBe('GLOBEX');
  });

  it('is the initials of a name whose first word is too short or too long, else the name cut to 12', () => {
    expect(generated('International Business Machines').code).toBe('IBM');
    expect(generated('Xy Data Systems').code).toBe('XDS');
    expect(generated('Supercalifragilistic').code).toBe('SUPERCALIFRA');
    expect(generated('!!!').code).toBe('COMPANY');
  });

  it('is never the code of another unit the generator makes', () => {
    // "Sal", "Eng" and "Exo" would be departments' codes (Sales, Engineering, the Executive Office), "Unassigned" the system unit's.
    for (const name of ['Sal Industries', 'Unassigned Holdings', 'Eng', 'Exo', 'Exo Labs']) {
      const { code, others } = generated(name);
      expect(code).toMatch(/^[A-Z0-9]{2,12}$/);
      expect(others).not.toContain(code);
    }
    expect(generated('Sal Industries').code).toBe('SI');
    expect(generated('Eng').code).toBe('ENGCO');
  });
});
