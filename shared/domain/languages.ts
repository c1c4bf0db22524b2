/** The languages the service writes to people in: Kazakh (the state language), Russian, English. */
export const languages = ['kk', 'ru', 'en'] as const;
export type Language = (typeof languages)[number];

/**
 * The language used when none is chosen: Russian, the one most Kazakhstan firms' accountants read (Kazakh and
 * English are one click away on every page).
 */
export const DEFAULT_LANGUAGE: Language = 'ru';

/** Whether `value` names one of {@link languages}. */
export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (languages as readonly string[]).includes(value);
}
