import { readFileSync } from 'node:fs';
import * as z from 'zod';

/**
 * The patient-behaviour model file (docs/simulation.md explains every field). Validated before anything
 * runs: a bad file is refused with a message naming the field.
 */

const probability = z.number().min(0).max(1);

const segmentSchema = z.strictObject({
  name: z.string().min(1),
  share: z.number().positive(),
  p_answer: probability,
  p_yes_given_answer: probability,
  median_reply_min: z.number().positive(),
  sigma: z.number().min(0).max(5),
});

const scenarioSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and - only'),
  slots: z.int().min(1).max(100_000),
  lead_hours: z
    .array(
      z
        .number()
        .positive()
        .max(24 * 365),
    )
    .min(1),
  waitlist: z.int().min(1).max(9_999_999),
  logged_at_local: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:mm (24-hour)')
    .optional(),
  days: z.int().min(1).max(260).optional(),
});

export const modelSchema = z
  .strictObject({
    note: z.string().optional(),
    segments: z.array(segmentSchema).min(1),
    lead_time_multiplier_on_yes: z
      .array(z.tuple([z.number().positive(), z.number().min(0)]))
      .min(1)
      .refine((rows) => rows.every((row, i) => i === 0 || row[0] > (rows[i - 1] as [number, number])[0]), {
        message: 'rows must be in increasing max_lead_hours',
      }),
    urgent_multiplier_on_yes: z.number().min(0),
    night_reply_delay_multiplier: z.number().min(0),
    opt_out_per_offer: probability,
    delivery_failure_rate: probability,
    tapback_instead_of_answer_rate: probability,
    scenarios: z
      .array(scenarioSchema)
      .min(1)
      .refine((s) => new Set(s.map((x) => x.name)).size === s.length, {
        message: 'scenario names must be unique',
      }),
  })
  .refine((m) => m.opt_out_per_offer + m.tapback_instead_of_answer_rate <= 1, {
    message: 'opt_out_per_offer + tapback_instead_of_answer_rate must be at most 1',
    path: ['opt_out_per_offer'],
  });

export type BehaviourModel = z.output<typeof modelSchema>;
export type Scenario = BehaviourModel['scenarios'][number];
export type Segment = BehaviourModel['segments'][number];

export class ModelError extends Error {
  override readonly name = 'ModelError';
}

function fieldPath(path: PropertyKey[]): string {
  return path.reduce<string>(
    (out, part) =>
      typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part),
    '',
  );
}

export function parseModel(json: unknown, source = 'model'): BehaviourModel {
  const result = modelSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${fieldPath(i.path) || '(file)'}: ${i.message}`);
    throw new ModelError(`${source} is not a valid behaviour model:\n  ${problems.join('\n  ')}`);
  }
  return result.data;
}

export function loadModel(file: string): BehaviourModel {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ModelError(`cannot read ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelError(`${file} is not JSON: ${(error as Error).message}`);
  }
  return parseModel(json, file);
}

/** The first row whose max_lead_hours covers the lead; past the last row, the last row's multiplier. */
export function leadMultiplier(model: BehaviourModel, leadHours: number): number {
  const rows = model.lead_time_multiplier_on_yes;
  const row = rows.find(([max]) => max >= leadHours) ?? rows[rows.length - 1];
  return row ? row[1] : 1;
}
