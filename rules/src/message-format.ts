import type { LocalizedText, ThresholdLevel } from './rule-schema.ts';

export type Language = keyof LocalizedText;

export interface MessageContext {
  value: number;
  unit: string;
  threshold: number;
  sensorName: string;
  district: string;
}

/**
 * One decimal at most: sensor values carry noise below that, and operators
 * read "34 cm", not "34.0000001 cm". Vietnamese writes the decimal mark as a
 * comma (34,5 cm). Done by hand rather than Intl because Intl's output
 * differs between ICU builds and this text is compared in tests and replays.
 */
export function formatNumber(value: number, language: Language): string {
  const rounded = Math.round(value * 10) / 10;
  const text = Object.is(rounded, -0) ? '0' : String(rounded);
  return language === 'vi' ? text.replace('.', ',') : text;
}

export function renderTemplate(template: string, language: Language, ctx: MessageContext): string {
  return template.replace(/\{(value|unit|threshold|sensor|district)\}/g, (_, name: string) => {
    switch (name) {
      case 'value':
        return formatNumber(ctx.value, language);
      case 'threshold':
        return formatNumber(ctx.threshold, language);
      case 'unit':
        return ctx.unit;
      case 'sensor':
        return ctx.sensorName;
      default:
        return ctx.district;
    }
  });
}

/** The alert message: the rule's template, then the level's note after an em dash. */
export function buildMessage(template: LocalizedText, level: ThresholdLevel, ctx: MessageContext): LocalizedText {
  const vi = renderTemplate(template.vi, 'vi', ctx);
  const en = renderTemplate(template.en, 'en', ctx);
  return level.note === undefined ? { vi, en } : { vi: `${vi} — ${level.note.vi}`, en: `${en} — ${level.note.en}` };
}
