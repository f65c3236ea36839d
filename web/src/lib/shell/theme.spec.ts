import { afterEach, describe, expect, it, vi } from 'vitest';
import { THEME_STORAGE_KEY, ThemeManager } from './theme.svelte';

/** jsdom has no matchMedia; this stands in for the system's colour-scheme setting. */
function fakeSystem(dark: boolean) {
  const listeners = new Set<() => void>();
  const media = {
    matches: dark,
    addEventListener: (_: string, listener: () => void) => listeners.add(listener),
    removeEventListener: (_: string, listener: () => void) => listeners.delete(listener),
  };
  vi.stubGlobal(
    'matchMedia',
    vi.fn(() => media),
  );
  return {
    set(next: boolean) {
      media.matches = next;
      listeners.forEach((listener) => listener());
    },
    listeners,
  };
}

describe('ThemeManager', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    localStorage.clear();
    delete document.documentElement.dataset.theme;
  });

  it('follows the system by default and applies it to <html>', () => {
    const system = fakeSystem(true);
    const themes = new ThemeManager();
    const stop = themes.listen();
    expect(themes.preference).toBe('system');
    expect(document.documentElement.dataset.theme).toBe('dark');

    system.set(false);
    expect(themes.theme).toBe('light');
    expect(document.documentElement.dataset.theme).toBe('light');

    stop();
    expect(system.listeners.size).toBe(0);
  });

  it('remembers a choice across page loads, over the system setting', () => {
    fakeSystem(false);
    const first = new ThemeManager();
    first.listen();
    first.choose('dark');
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');

    const second = new ThemeManager();
    second.listen();
    expect(second.preference).toBe('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
  });

  it('ignores a stored value it does not know', () => {
    fakeSystem(false);
    localStorage.setItem(THEME_STORAGE_KEY, 'sepia');
    const themes = new ThemeManager();
    themes.listen();
    expect(themes.preference).toBe('system');
    expect(themes.theme).toBe('light');
  });

  it('takes up a choice made in another tab', () => {
    fakeSystem(false);
    const themes = new ThemeManager();
    const stop = themes.listen();
    localStorage.setItem(THEME_STORAGE_KEY, 'dark');
    window.dispatchEvent(new StorageEvent('storage', { key: THEME_STORAGE_KEY }));
    expect(themes.theme).toBe('dark');
    stop();
  });

  it('works without storage or matchMedia', () => {
    const themes = new ThemeManager(undefined);
    themes.listen();
    themes.choose('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
  });
});
