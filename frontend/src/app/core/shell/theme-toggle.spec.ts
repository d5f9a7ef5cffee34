import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { TestBed } from '@angular/core/testing';
import { MatMenuHarness } from '@angular/material/menu/testing';

import { THEME_STORAGE_KEY } from '../theme/theme-preference';
import { ThemeToggle } from './theme-toggle';

describe('ThemeToggle', () => {
  const html = document.documentElement;

  afterEach(() => {
    localStorage.clear();
    html.classList.remove('theme-light', 'theme-dark');
  });

  async function openMenu() {
    const fixture = TestBed.createComponent(ThemeToggle);
    const menu = await TestbedHarnessEnvironment.loader(fixture).getHarness(MatMenuHarness);
    await menu.open();
    return { fixture, menu };
  }

  it('labels its icon button with the current theme', async () => {
    const { fixture } = await openMenu();
    const trigger = (fixture.nativeElement as HTMLElement).querySelector('button')!;
    expect(trigger.getAttribute('aria-label')).toBe('Theme: System. Change theme');
  });

  it('writes the dark class on <html> and remembers the choice in localStorage', async () => {
    const { fixture, menu } = await openMenu();
    await menu.clickItem({ text: /Dark/ });

    expect(html.classList).toContain('theme-dark');
    expect(html.classList).not.toContain('theme-light');
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('dark');
    const trigger = (fixture.nativeElement as HTMLElement).querySelector('button')!;
    expect(trigger.getAttribute('aria-label')).toBe('Theme: Dark. Change theme');
  });

  it('switches from dark to light, replacing the class', async () => {
    const { menu } = await openMenu();
    await menu.clickItem({ text: /Dark/ });
    await menu.open();
    await menu.clickItem({ text: /Light/ });

    expect(html.classList).toContain('theme-light');
    expect(html.classList).not.toContain('theme-dark');
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('light');
  });

  it('removes both classes for "system" so color-scheme follows the OS', async () => {
    const { menu } = await openMenu();
    await menu.clickItem({ text: /Dark/ });
    await menu.open();
    await menu.clickItem({ text: /System/ });

    expect(html.classList).not.toContain('theme-dark');
    expect(html.classList).not.toContain('theme-light');
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('system');
  });

  it('marks the active option as the checked menu radio', async () => {
    const { menu } = await openMenu();
    await menu.clickItem({ text: /Dark/ });
    await menu.open();

    const checked = document.querySelectorAll('[role="menuitemradio"][aria-checked="true"]');
    expect(checked).toHaveLength(1);
    expect(checked[0]?.textContent).toContain('Dark');
  });
});
