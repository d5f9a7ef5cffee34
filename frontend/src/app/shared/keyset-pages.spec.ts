import { signal } from '@angular/core';
import { Subject, throwError } from 'rxjs';

import { ProblemError } from '../core/problem';
import { KeysetPage, LaterPages } from './keyset-pages';

describe('LaterPages', () => {
  const first: KeysetPage<string> = { items: ['a', 'b'], nextCursor: 'c1' };

  function setUp() {
    const params = signal('filter-1');
    const firstPage = signal<KeysetPage<string> | undefined>(first);
    const answers: Subject<KeysetPage<string>>[] = [];
    const calls: [string, string][] = [];
    const pages = new LaterPages(params, firstPage, (p, cursor) => {
      calls.push([p, cursor]);
      const answer = new Subject<KeysetPage<string>>();
      answers.push(answer);
      return answer;
    });
    return { params, firstPage, answers, calls, pages };
  }

  it('appends the next page, asked for with the last cursor, and stops when there is none', () => {
    const { answers, calls, pages } = setUp();
    pages.loadMore();
    expect(pages.loading()).toBe(true);
    pages.loadMore(); // ignored while a page is loading
    expect(calls).toEqual([['filter-1', 'c1']]);
    answers[0]!.next({ items: ['c'], nextCursor: null });
    expect(pages.items()).toEqual(['a', 'b', 'c']);
    expect(pages.nextCursor()).toBeNull();
    expect(pages.loading()).toBe(false);
    pages.loadMore();
    expect(calls).toHaveLength(1);
  });

  it('drops later pages when the filters change, and discards a page that arrives for old filters', () => {
    const { params, answers, pages } = setUp();
    pages.loadMore();
    answers[0]!.next({ items: ['c'], nextCursor: 'c2' });
    expect(pages.items()).toEqual(['a', 'b', 'c']);

    pages.loadMore();
    params.set('filter-2');
    expect(pages.items()).toEqual(['a', 'b']);
    answers[1]!.next({ items: ['stale'], nextCursor: null });
    expect(pages.items()).toEqual(['a', 'b']);
    expect(pages.nextCursor()).toBe('c1');
  });

  it('keeps the problem when a page fails', () => {
    const params = signal(0);
    const failing = new LaterPages(params, signal(first), () =>
      throwError(
        () =>
          new ProblemError({
            type: 't',
            title: 'x',
            status: 503,
            detail: 'down',
            code: 'SERVICE_UNAVAILABLE',
            instance: '/api/x',
            requestId: 'req-1',
          }),
      ),
    );
    failing.loadMore();
    expect(failing.loading()).toBe(false);
    expect(failing.problem()?.code).toBe('SERVICE_UNAVAILABLE');
  });
});
