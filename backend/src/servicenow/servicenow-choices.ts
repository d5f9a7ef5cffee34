import { Injectable, Logger } from '@nestjs/common';
import { CLOSE_CODES } from '../incidents/incident-state';
import type { ChoiceElement } from './dto/servicenow-choices.query';
import type { ServiceNowChoicesView, ServiceNowChoiceView } from './dto/servicenow-choices.view';
import { ServiceNowClient } from './servicenow-client';
import { ServiceNowConnectionService } from './servicenow-connection.service';
import { closeCodeFromServiceNow, closeCodeToServiceNow } from './servicenow-field-map';
import { DEFAULT_MAPPING as DEFAULT_SYNC_MAPPING, explicitCloseCodes } from './servicenow-sync-settings';
import { ServiceNowCallError } from './servicenow.errors';

/** After a failed read the fallback is answered this long without asking the instance again. */
const FAILURE_TTL_MS = 30_000;

/**
 * The choices the console offers for an incident field: the instance's active `sys_choice` rows
 * (cached by ServiceNowClient), each with the close code of ours it is kept as; our own list when
 * no connection is configured or enabled, or the instance could not be read.
 */
@Injectable()
export class ServiceNowChoices {
  private readonly logger = new Logger(ServiceNowChoices.name);
  private failure: { instanceUrl: string; at: number; error: string } | undefined;

  constructor(
    private readonly client: ServiceNowClient,
    private readonly connection: ServiceNowConnectionService,
  ) {}

  async of(element: ChoiceElement): Promise<ServiceNowChoicesView> {
    const settings = await this.connection.settings();
    if (settings === null || !settings.enabled) return ours(element, null);
    const failure = this.failure;
    if (failure?.instanceUrl === settings.instanceUrl && Date.now() - failure.at < FAILURE_TTL_MS)
      return ours(element, failure.error);
    let instance: { value: string; label: string }[];
    try {
      instance = await this.client.closeCodes();
    } catch (e) {
      if (!(e instanceof ServiceNowCallError)) throw e;
      if (e.kind === 'not_configured') return ours(element, null);
      this.logger.warn(`close codes not read from the instance, offering ours: ${e.message}`);
      this.failure = { instanceUrl: settings.instanceUrl, at: Date.now(), error: e.message };
      return ours(element, e.message);
    }
    this.failure = undefined;
    if (instance.length === 0) return ours(element, 'The instance has no active incident close codes');
    const mapping = { ...DEFAULT_SYNC_MAPPING, closeCodes: explicitCloseCodes(settings.mapping.closeCodes) };
    return {
      element,
      source: 'servicenow',
      error: null,
      choices: instance.map((c): ServiceNowChoiceView => {
        const closeCode = closeCodeFromServiceNow(c.value, mapping);
        // Offered for resolving only if resolving with it writes this very value back.
        const roundTrips = closeCodeToServiceNow(closeCode, mapping, instance) === c.value;
        return { value: c.value, label: c.label, closeCode: roundTrips ? closeCode : null };
      }),
    };
  }
}

function ours(element: ChoiceElement, error: string | null): ServiceNowChoicesView {
  return {
    element,
    source: 'nexecute',
    error,
    choices: CLOSE_CODES.map((code) => ({ value: code, label: code, closeCode: code })),
  };
}
