/** What the operator picked. */
export type ThemePreference = 'light' | 'dark' | 'system';
/** What the page shows: `data-theme` on `<html>`, which app.css keys every colour on. */
export type Theme = 'light' | 'dark';

export const THEME_PREFERENCES: readonly ThemePreference[] = ['light', 'dark', 'system'];

/** localStorage key; index.html reads the same key before the first paint. */
export const THEME_STORAGE_KEY = 'pulseboard.theme';

const DARK_QUERY = '(prefers-color-scheme: dark)';

function isPreference(value: unknown): value is ThemePreference {
  return THEME_PREFERENCES.includes(value as ThemePreference);
}

/** localStorage, or nothing where the browser refuses it (privacy modes, sandboxed frames). */
function browserStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

/**
 * The light/dark/system choice: persisted, applied to `<html data-theme>`, and
 * following the system setting while the choice is `system`.
 */
export class ThemeManager {
  #preference = $state<ThemePreference>('system');
  #systemDark = $state(false);
  #theme = $derived<Theme>(this.#preference === 'system' ? (this.#systemDark ? 'dark' : 'light') : this.#preference);
  readonly #storage: Storage | undefined;
  readonly #root: HTMLElement;

  constructor(storage: Storage | undefined = browserStorage(), root: HTMLElement = document.documentElement) {
    this.#storage = storage;
    this.#root = root;
    const saved = this.#read();
    if (saved) this.#preference = saved;
  }

  get preference(): ThemePreference {
    return this.#preference;
  }

  get theme(): Theme {
    return this.#theme;
  }

  /** Picks a theme, remembers it and applies it at once. */
  choose(preference: ThemePreference): void {
    this.#preference = preference;
    try {
      this.#storage?.setItem(THEME_STORAGE_KEY, preference);
    } catch {
      // A full or refused storage only costs the memory of the choice.
    }
    this.#apply();
  }

  /** Applies the theme and follows the system setting and other tabs' choices; returns the cleanup. */
  listen(): () => void {
    const media = typeof window.matchMedia === 'function' ? window.matchMedia(DARK_QUERY) : undefined;
    const onSystemChange = () => {
      this.#systemDark = media?.matches ?? false;
      this.#apply();
    };
    const onStorage = (event: StorageEvent) => {
      if (event.key !== THEME_STORAGE_KEY) return;
      this.#preference = this.#read() ?? 'system';
      this.#apply();
    };

    onSystemChange();
    media?.addEventListener('change', onSystemChange);
    window.addEventListener('storage', onStorage);
    return () => {
      media?.removeEventListener('change', onSystemChange);
      window.removeEventListener('storage', onStorage);
    };
  }

  #read(): ThemePreference | undefined {
    try {
      const value = this.#storage?.getItem(THEME_STORAGE_KEY);
      return isPreference(value) ? value : undefined;
    } catch {
      return undefined;
    }
  }

  #apply(): void {
    this.#root.dataset.theme = this.#theme;
  }
}
