/*
 * The coalesced card update (docs/slack.md, "Notifications"). Every change to an incident adds, for
 * each of its cards, a graphile-worker job keyed `slack-card:<incident>:<channel>` due
 * SLACK_UPDATE_COALESCE_MS later, with job_key_mode `preserve_run_at`: while that job waits, more
 * changes find it and leave its due time alone, so a burst becomes one job, which renders the
 * incident as it is when it runs (one chat.update). A change that arrives while the job runs gets
 * a new job (graphile-worker detaches the running one's key), so no change is left unshown.
 */

/** The graphile-worker task that brings one card up to date. */
export const CARD_REFRESH_TASK = 'slack.card_refresh';

/** Attempts of a refresh that keeps failing for a reason that may pass (5xx, timeouts): about a day. */
export const CARD_REFRESH_MAX_ATTEMPTS = 25;

export interface CardRefreshPayload {
  readonly incidentId: string;
  readonly channelId: string;
}

export function cardJobKey(incidentId: string, channelId: string): string {
  return `slack-card:${incidentId}:${channelId}`;
}

/**
 * $1 incident id, $2 channel id, $3 delay in ms, $4 job_key_mode: `preserve_run_at` to join a burst,
 * `replace` to move the job (Slack's Retry-After).
 */
export const SCHEDULE_CARD_REFRESH_SQL = `
  SELECT (graphile_worker.add_job(
           '${CARD_REFRESH_TASK}',
           json_build_object('incidentId', $1::text, 'channelId', $2::text),
           run_at := now() + $3::int * interval '1 millisecond',
           max_attempts := ${CARD_REFRESH_MAX_ATTEMPTS},
           job_key := 'slack-card:' || $1::text || ':' || $2::text,
           job_key_mode := $4::text
         )).id`;
