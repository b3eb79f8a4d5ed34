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

const common = {
  id: Type.String({ pattern: RULE_ID_PATTERN }),
  title: LocalizedText,
  /** Templates with {value} {unit} {threshold} {sensor} {district}. */
  message: LocalizedText,
};

/**
 * Rate of change: the field moved by at least `change` (a positive amount;
 * `direction` says which way) within `window` ms, judged against the lowest
 * (rise) or highest (fall) value of the window. Clears once the change over
 * the window stayed below `change` for `clear.for` ms.
 */
export const RateOfChangeRuleSchema = Type.Object(
  {
    kind: Type.Literal('rate-of-change'),
    ...common,
    domain: lit(DOMAINS),
    field: Type.String({ minLength: 1 }),
    unit: Type.String(),
    direction: lit(['rise', 'fall'] as const),
    change: Type.Number({ exclusiveMinimum: 0 }),
    window: Type.Integer({ minimum: 1000, maximum: 24 * 3_600_000 }),
    severity: lit(SEVERITIES),
    clear: Type.Object({ for: duration('ms the change must stay below the limit before resolving') }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);
export type RateOfChangeRule = Static<typeof RateOfChangeRuleSchema>;

/**
 * Absence: a sensor silent for more than `factor` × its reporting interval
 * (the registry's reportingIntervalS, else the reading's intervalS, else
 * `defaultIntervalS`) — or whose Last Will arrives, when `lastWill` — is
 * offline. Resolved by its next reading (or an online status).
 */
export const AbsenceRuleSchema = Type.Object(
  {
    kind: Type.Literal('absence'),
    ...common,
    /** Omitted: every domain. */
    domain: Type.Optional(lit(DOMAINS)),
    factor: Type.Number({ minimum: 1, maximum: 1000 }),
    defaultIntervalS: Type.Number({ minimum: 1, maximum: 86_400 }),
    lastWill: Type.Boolean(),
    severity: lit(SEVERITIES),
  },
  { additionalProperties: false },
);
export type AbsenceRule = Static<typeof AbsenceRuleSchema>;

/**
 * Area aggregation: `minSensors` or more sensors of one district with an open
 * alert of any of `sourceRules` → one alert whose subject is the district
 * (severity fixed); resolved when fewer remain.
 */
export const DistrictRuleSchema = Type.Object(
  {
    kind: Type.Literal('district'),
    ...common,
    domain: lit(DOMAINS),
    sourceRules: Type.Array(Type.String({ pattern: RULE_ID_PATTERN }), { minItems: 1, maxItems: 20 }),
    /** Only source alerts at least this severe count (default: any). */
    minSeverity: Type.Optional(lit(SEVERITIES)),
    minSensors: Type.Integer({ minimum: 1, maximum: 10_000 }),
    severity: lit(SEVERITIES),
  },
  { additionalProperties: false },
);
export type DistrictRule = Static<typeof DistrictRuleSchema>;

export const IndexCategoryLevelSchema = Type.Object(
  {
    severity: lit(SEVERITIES),
    /** Category level 2–6 (2 Moderate/Trung bình … 6 Hazardous/Nguy hại): reached at the category's lowest AQI. */
    category: Type.Integer({ minimum: 2, maximum: 6 }),
    note: Type.Optional(LocalizedText),
  },
  { additionalProperties: false },
);

/**
 * Index category: the sensor's current VN_AQI or US AQI (attached to the
 * reading as `aqi` by the caller) reaching a category. Runs as a threshold
 * rule on the index value, with the same for/clear hysteresis.
 */
export const IndexCategoryRuleSchema = Type.Object(
  {
    kind: Type.Literal('index-category'),
    ...common,
    index: lit(['vn', 'us'] as const),
    levels: Type.Array(IndexCategoryLevelSchema, { minItems: 1, maxItems: SEVERITIES.length }),
    for: duration('ms the category must hold before raising'),
    /** Resolves once the category is at or below `category` for `for` ms. */
    clear: Type.Object({ category: Type.Integer({ minimum: 1, maximum: 5 }), for: duration('ms before resolving') }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);
export type IndexCategoryRule = Static<typeof IndexCategoryRuleSchema>;

/** Per-kind schemas, so validation can report errors against the right kind instead of a bare union failure. */
export const RULE_KIND_SCHEMAS = {
  threshold: ThresholdRuleSchema,
  'rate-of-change': RateOfChangeRuleSchema,
  absence: AbsenceRuleSchema,
  district: DistrictRuleSchema,
  'index-category': IndexCategoryRuleSchema,
} as const;
export type RuleKind = keyof typeof RULE_KIND_SCHEMAS;

export const RuleDefinitionSchema = Type.Union([
  ThresholdRuleSchema,
  RateOfChangeRuleSchema,
  AbsenceRuleSchema,
  DistrictRuleSchema,
  IndexCategoryRuleSchema,
]);
export type RuleDefinition = Static<typeof RuleDefinitionSchema>;
