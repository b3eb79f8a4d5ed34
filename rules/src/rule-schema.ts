import { Type, type Static } from '@sinclair/typebox';
import { DOMAINS, SEVERITIES } from '@cityops/contracts';

/**
 * Rules are data, not code: every declaration validates against these
 * schemas so a later loader can read them from YAML/JSON and report the
 * exact path of a mistake. Nothing here is evaluated as an expression.
 */

const lit = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

/** Rule ids end up in alert ids and MQTT topics, so they stay URL- and topic-safe. */
export const RULE_ID_PATTERN = '^[a-z0-9][a-z0-9-]{0,63}$';

export const LocalizedText = Type.Object(
  { vi: Type.String({ minLength: 1 }), en: Type.String({ minLength: 1 }) },
  { additionalProperties: false },
);
export type LocalizedText = Static<typeof LocalizedText>;

/** Placeholders a message template may use (see message-format.ts). */
export const MESSAGE_PLACEHOLDERS = ['value', 'unit', 'threshold', 'sensor', 'district'] as const;

export const ThresholdLevelSchema = Type.Object(
  {
    severity: lit(SEVERITIES),
    /** Absolute, or a factor of the sensor's reference value when the rule has `relativeTo`. */
    value: Type.Number(),
    /** Appended to the message after an em dash, e.g. "xe máy dễ chết máy". */
    note: Type.Optional(LocalizedText),
  },
  { additionalProperties: false },
);
export type ThresholdLevel = Static<typeof ThresholdLevelSchema>;

const duration = (description: string) => Type.Integer({ minimum: 0, maximum: 7 * 24 * 3_600_000, description });

export const ThresholdRuleSchema = Type.Object(
  {
    kind: Type.Literal('threshold'),
    id: Type.String({ pattern: RULE_ID_PATTERN }),
    domain: lit(DOMAINS),
    title: LocalizedText,
    /** A READING_FIELDS name of the rule's domain. */
    field: Type.String({ minLength: 1 }),
    /** Unit shown in messages, e.g. "cm". */
    unit: Type.String(),
    /** 'above': raise when value ≥ threshold; 'below': raise when value ≤ threshold. */
    comparison: lit(['above', 'below'] as const),
    /** Ordered from the mildest to the most severe. */
    levels: Type.Array(ThresholdLevelSchema, { minItems: 1, maxItems: SEVERITIES.length }),
    /** Level and clear values are factors of this sensor property (traffic: free-flow speed). */
    relativeTo: Type.Optional(Type.Literal('freeFlowKmh')),
    /** The sensor's own thresholds replace the level values by position (flood: [minor, major, critical]). */
    levelsFrom: Type.Optional(Type.Literal('alertLevelsCm')),
    /** ms the raise condition must hold (continuously, across readings) before an alert is raised. */
    for: duration('ms the raise condition must hold before raising'),
    clear: Type.Object(
      {
        /** 'above': clears when value < this; 'below': clears when value > this. */
        value: Type.Number(),
        for: duration('ms the clear condition must hold before resolving'),
      },
      { additionalProperties: false },
    ),
    /** Templates with {value} {unit} {threshold} {sensor} {district}. */
    message: LocalizedText,
  },
  { additionalProperties: false },
);
export type ThresholdRule = Static<typeof ThresholdRuleSchema>;

/** Per-kind schemas, so validation can report errors against the right kind instead of a bare union failure. */
export const RULE_KIND_SCHEMAS = { threshold: ThresholdRuleSchema } as const;
export type RuleKind = keyof typeof RULE_KIND_SCHEMAS;

/** A union with one member today; later kinds (rate-of-change, absence, district) join it. */
export const RuleDefinitionSchema = Type.Union([ThresholdRuleSchema]);
export type RuleDefinition = Static<typeof RuleDefinitionSchema>;
