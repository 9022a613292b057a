// fi / sv / en: typed dictionaries (a key missing in one language is a type error), a
// context with t(key, vars), and <html lang> kept in step with the chosen language.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { LocalizedText } from './api';
import { en, fi, sv, type Key } from './texts';

export type Lang = 'fi' | 'sv' | 'en';
export const LANGS: Lang[] = ['fi', 'sv', 'en'];
const DICTS: Record<Lang, Record<Key, string>> = { fi, sv, en };
const LANG_KEY = 'luukku.lang';

export const LANGUAGE_NAMES: Record<Lang, string> = {
  fi: 'Suomeksi (FI)',
  sv: 'På svenska (SV)',
  en: 'In English (EN)',
};

interface I18n {
  lang: Lang;
  setLang(lang: Lang): void;
  t(key: Key, vars?: Record<string, string | number>): string;
  /** A catalogue text in the current language. */
  lt(text: LocalizedText | null | undefined): string;
  date(iso: string | null | undefined): string;
  dateTime(iso: string | null | undefined): string;
}

const Context = createContext<I18n | null>(null);

function initial(): Lang {
  const stored = window.localStorage.getItem(LANG_KEY);
  if (stored === 'fi' || stored === 'sv' || stored === 'en') return stored;
  const browser = navigator.language.slice(0, 2);
  return browser === 'sv' || browser === 'en' ? browser : 'fi';
}

const LOCALES: Record<Lang, string> = { fi: 'fi-FI', sv: 'sv-FI', en: 'en-GB' };

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initial);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const setLang = useCallback((next: Lang) => {
    window.localStorage.setItem(LANG_KEY, next);
    setLangState(next);
  }, []);
  const value = useMemo<I18n>(() => {
    const dict = DICTS[lang];
    const dateFormat = new Intl.DateTimeFormat(LOCALES[lang], { day: 'numeric', month: 'numeric', year: 'numeric', timeZone: 'UTC' });
    const dateTimeFormat = new Intl.DateTimeFormat(LOCALES[lang], { dateStyle: 'short', timeStyle: 'short' });
    return {
      lang,
      setLang,
      t(key, vars) {
        let text = dict[key];
        if (vars) for (const [name, v] of Object.entries(vars)) text = text.split(`{${name}}`).join(String(v));
        return text;
      },
      lt(text) {
        return text ? text[lang] || text.fi : '';
      },
      date(iso) {
        return iso ? dateFormat.format(new Date(`${iso.slice(0, 10)}T00:00:00Z`)) : '';
      },
      dateTime(iso) {
        return iso ? dateTimeFormat.format(new Date(iso)) : '';
      },
    };
  }, [lang, setLang]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(Context);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}

/** The current language, for code outside React (Accept-Language). */
export function currentLang(): Lang {
  const l = document.documentElement.lang;
  return l === 'sv' || l === 'en' ? l : 'fi';
}
