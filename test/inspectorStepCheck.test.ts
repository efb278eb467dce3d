// The one check of an inspector step (src/inspector/stepCheck.ts), which the live server
// and the page run: every step a real session records passes it unchanged; any field
// given a value of another type fails it, naming the field; no nesting overflows it.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { tracksOfLog } from '../src/inspector/page/tracks.js';
import { checkStep, nestsWithin, StepError } from '../src/inspector/stepCheck.js';
import { validStep } from './support/inspectorSteps.js';

const demoSteps = tracksOfLog(readFileSync(new URL('../examples/demo.jsonl', import.meta.url), 'utf8')).flatMap(
  (track) => track.steps,
);

test("every step of the demo's sessions, as the recorder makes them, passes and comes back equal", () => {
  expect(demoSteps.length).toBeGreaterThan(20);
  for (const step of demoSteps) expect(checkStep(JSON.parse(JSON.stringify(step)))).toEqual(step);
});

test('fields beyond the step type are left out of what it returns', () => {
  const checked = checkStep({
    ...validStep(),
    extra: { a: 1 },
    settings: { ...(validStep().settings as object), x: 1 },
  });
  expect(checked).toEqual(validStep());
});

const FIELDS = Object.keys(validStep()).filter((field) => field !== 'type' && field !== 'version');
const wrongValues = fc.oneof(
  fc.integer(),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.integer(), { minLength: 1 }),
  fc.dictionary(fc.string(), fc.integer()),
);

test('a field given a value of another type is refused, and the error names it', () => {
  fc.assert(
    fc.property(fc.constantFrom(...FIELDS), wrongValues, (field, value) => {
      const step = validStep({ [field]: value });
      let accepted: unknown;
      try {
        accepted = checkStep(step);
      } catch (error) {
        expect(error).toBeInstanceOf(StepError);
        expect((error as Error).message).toContain(field);
        return;
      }
      // Accepted only when the value fits the field's own type.
      expect((accepted as Record<string, unknown>)[field]).toEqual(value);
    }),
    { numRuns: 2_000 },
  );
});

test('nesting is measured with a loop: 1,000,000 levels answer false, not a RangeError', () => {
  let deep: unknown = 'leaf';
  for (let i = 0; i < 1_000_000; i++) deep = [deep];
  expect(nestsWithin(deep, 64)).toBe(false);
  expect(nestsWithin({ a: [{ b: [1] }] }, 4)).toBe(true);
  expect(nestsWithin({ a: [{ b: [1] }] }, 3)).toBe(false);
  expect(() => checkStep(validStep({ settings: deep }))).toThrow(StepError);
});
