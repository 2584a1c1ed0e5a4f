import type { Theme } from './api.types';

/** The session's theme, else the one the visitor's system prefers. */
export function chooseTheme(sessionTheme: Theme | null | undefined): Theme {
  if (sessionTheme === 'light' || sessionTheme === 'dark') return sessionTheme;
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function applyTheme(theme: Theme, root: HTMLElement = document.documentElement): void {
  root.dataset.theme = theme;
}
