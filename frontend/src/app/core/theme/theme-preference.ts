import { DOCUMENT } from '@angular/common';
import { inject, Injectable, signal } from '@angular/core';

export type ThemeMode = 'light' | 'dark' | 'system';

export const THEME_MODES: readonly ThemeMode[] = ['light', 'dark', 'system'];
export const THEME_STORAGE_KEY = 'nx-theme';
const THEME_CLASSES: Record<ThemeMode, string | undefined> = {
  light: 'theme-light',
  dark: 'theme-dark',
  system: undefined, // no class: `color-scheme: light dark` lets the OS decide
};

/**
 * The user's light/dark/system choice. It sets a class on `<html>` (styles.scss maps it to
 * `color-scheme`, which drives Material's `light-dark()` tokens) and remembers it in localStorage.
 */
@Injectable({ providedIn: 'root' })
export class ThemePreference {
  private readonly root = inject(DOCUMENT).documentElement;
  private readonly storage = storageOf(inject(DOCUMENT).defaultView);
  private readonly current = signal<ThemeMode>(this.read());

  readonly mode = this.current.asReadonly();

  constructor() {
    this.apply(this.current());
  }

  set(mode: ThemeMode): void {
    this.current.set(mode);
    this.apply(mode);
    try {
      this.storage?.setItem(THEME_STORAGE_KEY, mode);
    } catch {
      // Storage can be full or blocked (private mode); the choice still holds for this visit.
    }
  }

  private read(): ThemeMode {
    let stored: string | null = null;
    try {
      stored = this.storage?.getItem(THEME_STORAGE_KEY) ?? null;
    } catch {
      // Blocked storage: fall back to following the OS.
    }
    return THEME_MODES.find((mode) => mode === stored) ?? 'system';
  }

  private apply(mode: ThemeMode): void {
    for (const cls of Object.values(THEME_CLASSES)) {
      if (cls) {
        this.root.classList.remove(cls);
      }
    }
    const cls = THEME_CLASSES[mode];
    if (cls) {
      this.root.classList.add(cls);
    }
  }
}

function storageOf(view: Window | null): Storage | undefined {
  try {
    return view?.localStorage;
  } catch {
    // Reading `localStorage` itself throws when cookies are disabled in some browsers.
    return undefined;
  }
}
