/**
 * The README's flag table is generated from the question table and the switches, like --help:
 * a flag added in one place shows up in both. `UPDATE_README=1 npx vitest run test/unit/readme.test.ts`
 * rewrites the table after a change.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flagTableMarkdown, helpText } from '../../src/help.js';
import { questionFlags, SWITCHES } from '../../src/options.js';

const README = join(import.meta.dirname, '../../README.md');
const START = '<!-- flags:start (generated from src/questions.ts and src/options.ts) -->';
const END = '<!-- flags:end -->';

describe('one flag, one place', () => {
  it('the README flag table is the generated one', () => {
    const text = readFileSync(README, 'utf8');
    const start = text.indexOf(START);
    const end = text.indexOf(END);
    expect(start, 'the README has the flag table markers').toBeGreaterThan(-1);
    const current = text.slice(start + START.length, end).trim();
    const wanted = flagTableMarkdown();
    if (process.env.UPDATE_README && current !== wanted) writeFileSync(README, `${text.slice(0, start + START.length)}\n${wanted}\n${text.slice(end)}`);
    else expect(current).toBe(wanted);
  });

  it('--help lists every flag the parser accepts', () => {
    const help = helpText();
    for (const flag of [...questionFlags(), ...SWITCHES]) expect(help).toContain(`--${flag.name}`);
  });
});
