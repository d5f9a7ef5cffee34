import type { RequestActor } from '../common/auth/principal';

/** The integration's own id: timelines and events name it as the actor of what it changed. */
export const SERVICENOW_SERVICE_ID = 'servicenow';

/** ServiceNow acting on our incidents (the inbox handler); `author` keeps a journal entry's writer. */
export function serviceNowActor(author?: string): RequestActor {
  return {
    principal: null,
    ip: null,
    userAgent: null,
    requestId: null,
    service: { id: SERVICENOW_SERVICE_ID, label: author ? `${author} via ServiceNow` : 'ServiceNow' },
  };
}

/** Echo suppression: an event caused by ServiceNow is never written back to it. */
export function isServiceNowActor(actor: { readonly type: string; readonly id: string | null }): boolean {
  return actor.type === 'system' && actor.id === SERVICENOW_SERVICE_ID;
}
