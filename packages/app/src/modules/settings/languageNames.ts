/**
 * How each interface language is named in the language menu: by its own name
 * in its own script, so a reader finds it whatever the current language is.
 * (The browser's Intl.DisplayNames would show zh-CN as "中文（中国）", a
 * country, not the script people look for.)
 */
export const LANGUAGE_NAMES: Record<string, string> = {
  en: 'English',
  'zh-CN': '简体中文',
};

/** The menu name of `language`, or its code when opsdeck has no name for it. */
export function languageName(language: string): string {
  return LANGUAGE_NAMES[language] ?? language;
}
