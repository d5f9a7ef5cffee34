import type { FieldError } from '../common/errors/request-errors';
import { isJsonObject } from './json-shapes';

/** One alert of an Alertmanager webhook notification (payload version 4). */
export interface AlertmanagerAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string | undefined;
  readonly endsAt: string | undefined;
  readonly generatorURL: string | undefined;
  readonly fingerprint: string;
}

export interface AlertmanagerNotification {
  readonly status: 'firing' | 'resolved';
  readonly groupKey: string;
  readonly receiver: string | undefined;
  readonly externalURL: string | undefined;
  readonly alerts: readonly AlertmanagerAlert[];
}

const STATUSES = ['firing', 'resolved'];
/** Alertmanager caps a notification with max_alerts; more than this is not Alertmanager. */
export const MAX_ALERTS = 1000;

function stringMap(errors: FieldError[], field: string, value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isJsonObject(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    errors.push({ field, message: `${field} must be an object of strings` });
    return {};
  }
  return value as Record<string, string>;
}

function optionalString(errors: FieldError[], field: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    errors.push({ field, message: `${field} must be a string` });
    return undefined;
  }
  return value;
}

/**
 * Validates a parsed body as Alertmanager's webhook (version 4, ../shared protocols §4.2; Grafana
 * sends the same shape with extra fields, which are allowed). Each alert needs its status and
 * fingerprint, the dedup key it is grouped by.
 */
export function parseAlertmanagerNotification(
  body: unknown,
): { notification: AlertmanagerNotification } | { errors: FieldError[] } {
  if (!isJsonObject(body)) return { errors: [{ field: 'body', message: 'The body must be a JSON object' }] };
  const errors: FieldError[] = [];
  if (body['version'] !== undefined && body['version'] !== '4') {
    errors.push({ field: 'version', message: 'Only payload version "4" is understood' });
  }
  const status = body['status'];
  if (!STATUSES.includes(status as string))
    errors.push({ field: 'status', message: 'status must be firing or resolved' });
  const groupKey = body['groupKey'];
  if (typeof groupKey !== 'string' || groupKey.length === 0 || groupKey.length > 4096) {
    errors.push({
      field: 'groupKey',
      message: 'groupKey must be a non-empty string (at most 4096 characters)',
    });
  }
  const rawAlerts = body['alerts'];
  const alerts: AlertmanagerAlert[] = [];
  if (!Array.isArray(rawAlerts) || rawAlerts.length === 0 || rawAlerts.length > MAX_ALERTS) {
    errors.push({ field: 'alerts', message: `alerts must be an array of 1 to ${MAX_ALERTS} alerts` });
  } else {
    rawAlerts.forEach((a: unknown, i) => {
      const at = `alerts.${i}`;
      if (!isJsonObject(a)) {
        errors.push({ field: at, message: 'each alert must be an object' });
        return;
      }
      if (!STATUSES.includes(a['status'] as string)) {
        errors.push({ field: `${at}.status`, message: 'status must be firing or resolved' });
      }
      const fingerprint = a['fingerprint'];
      if (typeof fingerprint !== 'string' || !/^[0-9A-Za-z:_-]{1,255}$/.test(fingerprint)) {
        errors.push({
          field: `${at}.fingerprint`,
          message: 'fingerprint is required (Alertmanager sends 16 hex digits)',
        });
      }
      alerts.push({
        status: a['status'] as 'firing' | 'resolved',
        labels: stringMap(errors, `${at}.labels`, a['labels']),
        annotations: stringMap(errors, `${at}.annotations`, a['annotations']),
        startsAt: optionalString(errors, `${at}.startsAt`, a['startsAt']),
        endsAt: optionalString(errors, `${at}.endsAt`, a['endsAt']),
        generatorURL: optionalString(errors, `${at}.generatorURL`, a['generatorURL']),
        fingerprint: fingerprint as string,
      });
    });
  }
  if (errors.length) return { errors };
  return {
    notification: {
      status: status as 'firing' | 'resolved',
      groupKey: groupKey as string,
      receiver: optionalString(errors, 'receiver', body['receiver']),
      externalURL: optionalString(errors, 'externalURL', body['externalURL']),
      alerts,
    },
  };
}
