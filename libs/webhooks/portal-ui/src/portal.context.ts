import { createContext } from 'preact';
import { useContext, useEffect } from 'preact/hooks';
import type { ApiClient } from './api.client';
import type { EventCatalogue } from './api.types';
import type { Tone } from './health';

export interface Portal {
  api: ApiClient;
  readOnly: boolean;
  catalogue: EventCatalogue;
  notify: (message: string, tone?: Tone) => void;
  /** Takes down a success or info notice, not an error: a failure shown in place supersedes it. */
  dismissNotice: () => void;
  /**
   * Set when the visitor moves to another screen, taken by that screen's heading. Not set on the
   * first screen or on a change of list: focus stays where the visitor is (the list picker).
   */
  navigated: { current: boolean };
}

export const PortalContext = createContext<Portal | null>(null);

export function usePortal(): Portal {
  const portal = useContext(PortalContext);
  if (!portal) throw new Error('usePortal outside PortalContext');
  return portal;
}

/** Moves focus to a screen's heading when the visitor navigated to it, as a page load would. */
export function useFocusOnArrival(ref: { current: HTMLElement | null }): void {
  const { navigated } = usePortal();
  useEffect(() => {
    if (!navigated.current) return;
    navigated.current = false;
    ref.current?.focus();
  }, []);
}
