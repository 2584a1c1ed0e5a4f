import { useEffect, useRef, useState } from 'preact/hooks';
import type { Page } from './api.types';

export interface PagedList<T> {
  items: T[];
  loading: boolean;
  /** Set once a first page arrived: until then an empty list means "not known yet". */
  loaded: boolean;
  error: unknown;
  hasMore: boolean;
  loadMore: () => void;
  reload: () => void;
}

/**
 * Pages of a cursor-paged route, newest first. `key` names the query: when it changes, the list
 * starts over, and answers to an earlier query that arrive late are dropped.
 */
export function usePagedList<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  key: string,
): PagedList<T> {
  const [items, setItems] = useState<T[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const query = useRef(0);
  const fetchLatest = useRef(fetchPage);
  fetchLatest.current = fetchPage;

  const load = (cursor: string | undefined) => {
    if (cursor === undefined) query.current += 1;
    const mine = query.current;
    setLoading(true);
    setError(null);
    fetchLatest.current(cursor).then(
      (page) => {
        if (mine !== query.current) return;
        setItems((previous) => (cursor === undefined ? page.data : [...previous, ...page.data]));
        setNextCursor(page.nextCursor);
        setLoaded(true);
        setLoading(false);
      },
      (failure: unknown) => {
        if (mine !== query.current) return;
        setError(failure);
        setLoading(false);
      },
    );
  };

  useEffect(() => {
    setItems([]);
    setNextCursor(null);
    setLoaded(false);
    load(undefined);
    return () => {
      query.current += 1;
    };
  }, [key]);

  return {
    items,
    loading,
    loaded,
    error,
    hasMore: nextCursor !== null,
    loadMore: () => {
      if (nextCursor !== null && !loading) load(nextCursor);
    },
    reload: () => load(undefined),
  };
}
