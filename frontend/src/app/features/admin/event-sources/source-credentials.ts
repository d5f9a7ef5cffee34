import { MatDialog } from '@angular/material/dialog';
import { Observable } from 'rxjs';

import {
  OneTimeSecretData,
  OneTimeSecretDialog,
} from '../../../shared/one-time-secret/one-time-secret-dialog';
import { EventSourceView } from './event-source';
import { producerExamples } from './producer-examples';

export interface SourceCredentials {
  readonly title: string;
  readonly source: EventSourceView;
  /** Where producers reach the product (the console's own origin). */
  readonly origin: string;
  readonly integrationKey?: string;
  /** Only when the API generated it. */
  readonly signingSecret?: string;
}

/** What the one-time dialog says about a source's new key and/or secret. */
export function credentialsDialogData(credentials: SourceCredentials): OneTimeSecretData | undefined {
  const { title, source, origin, integrationKey, signingSecret } = credentials;
  const signing = source.signed
    ? ' Sign every request with the signing secret (X-Nexecute-Timestamp and X-Nexecute-Signature); Alertmanager cannot sign, so give it an unsigned source.'
    : '';
  if (integrationKey) {
    return {
      title,
      label: 'Integration key',
      secret: integrationKey,
      explanation: `Producers send it as routing_key to POST /api/events, or as bearer credentials to /api/events/alertmanager.${signing}`,
      ...(signingSecret ? { moreSecrets: [{ label: 'Signing secret', secret: signingSecret }] } : {}),
      examples: producerExamples({
        origin,
        integrationKey,
        signed: source.signed,
        ...(signingSecret ? { signingSecret } : {}),
      }),
    };
  }
  if (signingSecret) {
    return {
      title,
      label: 'Signing secret',
      secret: signingSecret,
      explanation:
        'Producers sign each request with it: X-Nexecute-Timestamp (Unix seconds) and X-Nexecute-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>. The previous secret stops working now.',
    };
  }
  return undefined;
}

/** Shows the new key and/or generated secret once; completes at once when there is nothing to show. */
export function showSourceCredentials(
  dialog: MatDialog,
  credentials: SourceCredentials,
): Observable<unknown> {
  const data = credentialsDialogData(credentials);
  return data
    ? OneTimeSecretDialog.show(dialog, data)
    : new Observable((subscriber) => {
        subscriber.complete();
      });
}
