import type { IncidentView } from '../incidents/dto/incident.view';

/** What a channel's card thread gets. Work notes only ever go to internal channels. */
export interface ThreadSettings {
  readonly comments: boolean;
  readonly workNotes: boolean;
  readonly stateChanges: boolean;
}

/** A routing rule as the router reads it (slack_routing_rules). */
export interface RoutingRule {
  readonly id: string;
  readonly name: string;
  readonly channelId: string;
  /** Empty: any priority (and likewise categories and sources). */
  readonly priorities: readonly number[];
  readonly categories: readonly string[];
  readonly sources: readonly string[];
  /** The channel is for the people working incidents only: work notes may go there. */
  readonly internal: boolean;
  readonly thread: ThreadSettings;
  readonly enabled: boolean;
  readonly position: number;
}

/** A channel an incident's card goes to, and what its thread gets. */
export interface RouteTarget {
  readonly channelId: string;
  /** The rule that routed it here; null for SLACK_DEFAULT_CHANNEL. */
  readonly ruleId: string | null;
  readonly internal: boolean;
  readonly thread: ThreadSettings;
}

/** What SLACK_DEFAULT_CHANNEL's thread gets: comments and state changes, never work notes. */
export const DEFAULT_CHANNEL_THREAD: ThreadSettings = {
  comments: true,
  workNotes: false,
  stateChanges: true,
};

type Routable = Pick<IncidentView, 'priority' | 'category' | 'source'>;

/** Case-insensitive: categories are free text on incidents. */
function matchesText(wanted: readonly string[], value: string | null): boolean {
  if (!wanted.length) return true;
  if (value === null) return false;
  const v = value.trim().toLowerCase();
  return wanted.some((w) => w.trim().toLowerCase() === v);
}

export function ruleMatches(rule: RoutingRule, incident: Routable): boolean {
  return (
    rule.enabled &&
    (!rule.priorities.length || rule.priorities.includes(incident.priority)) &&
    matchesText(rule.categories, incident.category) &&
    (!rule.sources.length || rule.sources.includes(incident.source))
  );
}

/**
 * The channels an incident's card goes to: every enabled rule that matches, in rule order (one
 * incident may go to a team channel and, being P1, to a major-incident channel too). Two rules
 * naming one channel make one card, with the first rule's thread settings. No rule matching:
 * the default channel, if one is set; otherwise nowhere.
 */
export function routeIncident(
  rules: readonly RoutingRule[],
  incident: Routable,
  defaultChannel: string | null,
): RouteTarget[] {
  const ordered = [...rules].sort((a, b) => a.position - b.position);
  const targets = new Map<string, RouteTarget>();
  for (const rule of ordered) {
    if (!ruleMatches(rule, incident) || targets.has(rule.channelId)) continue;
    targets.set(rule.channelId, {
      channelId: rule.channelId,
      ruleId: rule.id,
      internal: rule.internal,
      thread: { ...rule.thread, workNotes: rule.thread.workNotes && rule.internal },
    });
  }
  if (targets.size === 0 && defaultChannel) {
    return [{ channelId: defaultChannel, ruleId: null, internal: false, thread: DEFAULT_CHANNEL_THREAD }];
  }
  return [...targets.values()];
}
