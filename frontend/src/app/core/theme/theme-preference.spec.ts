import { TestBed } from '@angular/core/testing';

import { THEME_STORAGE_KEY, ThemePreference } from './theme-preference';

describe('ThemePreference', () => {
  const html = document.documentElement;

  afterEach(() => {
    localStorage.clear();
    html.classList.remove('theme-light', 'theme-dark');
  });

  it('applies the stored choice as soon as it is created', () => {
    localStorage.setItem(THEME_STORAGE_KEY, 'dark');
    const preference = TestBed.inject(ThemePreference);

    expect(preference.mode()).toBe('dark');
    expect(html.classList).toContain('theme-dark');
  });

  it('follows the system when nothing (or garbage) is stored', () => {
    localStorage.setItem(THEME_STORAGE_KEY, 'neon');
    const preference = TestBed.inject(ThemePreference);

    expect(preference.mode()).toBe('system');
    expect(html.classList).not.toContain('theme-dark');
    expect(html.classList).not.toContain('theme-light');
  });
});
