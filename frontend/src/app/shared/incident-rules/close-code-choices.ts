import { httpResource, HttpResourceRef } from '@angular/common/http';
import { Injectable } from '@angular/core';

import { ApiSchema } from '../../core/api/api-schema';

export type CloseCodeChoicesView = ApiSchema<'ServiceNowChoicesView'>;
export type CloseCodeChoice = ApiSchema<'ServiceNowChoiceView'>;
export const CLOSE_CODE_CHOICES_URL = '/api/integrations/servicenow/choices';

/**
 * The close codes to offer (`GET /api/integrations/servicenow/choices?element=close_code`): the
 * connected instance's `sys_choice` list, each with the close code of ours it is kept as, or our
 * own list when no instance is connected. For responders and admins: the resolve dialog and the
 * Integrations page's mapping. Call in an injection context.
 */
@Injectable({ providedIn: 'root' })
export class CloseCodeChoices {
  load(): HttpResourceRef<CloseCodeChoicesView | undefined> {
    return httpResource<CloseCodeChoicesView>(() => ({
      url: CLOSE_CODE_CHOICES_URL,
      params: { element: 'close_code' },
    }));
  }
}
