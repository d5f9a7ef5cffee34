import { convertToParamMap } from '@angular/router';

import {
  bucketAllowed,
  customRangeProblem,
  queryFromParams,
  queryToParams,
  seriesParams,
  startOfLocalHour,
  summaryParams,
  withRange,
} from './analytics-query';

describe('analytics query', () => {
  const params = (p: Record<string, string>) => convertToParamMap(p);
  // 23:40 UTC on 4 Dec: already 5 Dec in Tokyo, still 4 Dec in New York.
  const now = new Date('2026-12-04T23:40:12.345Z');

  it('defaults to the last 30 days by day, all priorities, the given zone and the mean', () => {
    expect(queryFromParams(params({}), 'Europe/Paris')).toEqual({
      range: '30d',
      from: '',
      to: '',
      bucket: 'day',
      priority: null,
      tz: 'Europe/Paris',
      stat: 'mean',
    });
  });

  it('reads a shared link back, and writes only what differs from the defaults', () => {
    const q = queryFromParams(
      params({ range: '7d', bucket: 'hour', priority: '2', tz: 'Asia/Tokyo', stat: 'p90' }),
      'UTC',
    );
    expect(q).toMatchObject({ range: '7d', bucket: 'hour', priority: 2, tz: 'Asia/Tokyo', stat: 'p90' });
    expect(queryToParams(q, 'UTC')).toEqual({
      range: '7d',
      from: null,
      to: null,
      bucket: 'hour',
      priority: 2,
      tz: 'Asia/Tokyo',
      stat: 'p90',
    });
  });

  it('ignores values the API would reject: an unknown zone, priority 9, hours over 90 days', () => {
    const q = queryFromParams(
      params({ range: '90d', bucket: 'hour', priority: '9', tz: 'Mars/Olympus' }),
      'UTC',
    );
    expect(q).toMatchObject({ bucket: 'day', priority: null, tz: 'UTC' });
  });

  it('allows hour buckets up to 31 days only, as the API does', () => {
    expect(bucketAllowed('hour', { range: '30d', from: '', to: '' })).toBe(true);
    expect(bucketAllowed('hour', { range: '90d', from: '', to: '' })).toBe(false);
    expect(bucketAllowed('hour', { range: '1y', from: '', to: '' })).toBe(false);
    expect(bucketAllowed('hour', { range: 'custom', from: '2026-11-01', to: '2026-12-01' })).toBe(true);
    expect(bucketAllowed('hour', { range: 'custom', from: '2026-11-01', to: '2026-12-02' })).toBe(false);
    expect(bucketAllowed('week', { range: '1y', from: '', to: '' })).toBe(true);
  });

  it('keeps the bucket on a range change when it is still allowed, and falls back otherwise', () => {
    const q = queryFromParams(params({ range: '7d', bucket: 'hour' }), 'UTC');
    expect(withRange(q, '24h').bucket).toBe('hour');
    expect(withRange(q, '90d').bucket).toBe('day');
  });

  it('checks custom dates', () => {
    expect(customRangeProblem('2026-11-05', '2026-11-01')).toBe('The start must not be after the end.');
    expect(customRangeProblem('2025-01-01', '2026-12-01')).toBe('A range may span at most 400 days.');
    expect(customRangeProblem('', '2026-12-01')).toBe('Choose both dates.');
    expect(customRangeProblem('2026-11-01', '2026-11-01')).toBeNull();
  });

  it('asks for whole local days ending today in the chosen zone', () => {
    const inTokyo = queryFromParams(params({ range: '7d', tz: 'Asia/Tokyo', priority: '1' }), 'UTC');
    expect(seriesParams(inTokyo, now)).toEqual({
      from: '2026-11-29',
      to: '2026-12-05',
      tz: 'Asia/Tokyo',
      priority: 1,
      bucket: 'day',
    });
    const inNewYork = queryFromParams(params({ range: '1y', tz: 'America/New_York' }), 'UTC');
    expect(summaryParams(inNewYork, now)).toEqual({
      from: '2025-12-05',
      to: '2026-12-04',
      tz: 'America/New_York',
    });
  });

  it('asks for the 24 local hours ending with the current one (half-hour zones too)', () => {
    const utc = queryFromParams(params({ range: '24h' }), 'UTC');
    expect(seriesParams(utc, now)).toEqual({
      from: '2026-12-04T00:00:00.000Z',
      to: '2026-12-05T00:00:00.000Z',
      tz: 'UTC',
      bucket: 'hour',
    });
    // Kolkata is UTC+05:30: its hours start at :30 UTC.
    expect(startOfLocalHour(now, 'Asia/Kolkata').toISOString()).toBe('2026-12-04T23:30:00.000Z');
  });

  it('sends custom dates as they are', () => {
    const q = queryFromParams(
      params({ range: 'custom', from: '2026-10-01', to: '2026-10-31', bucket: 'week' }),
      'UTC',
    );
    expect(seriesParams(q, now)).toEqual({ from: '2026-10-01', to: '2026-10-31', tz: 'UTC', bucket: 'week' });
  });
});
