// Ready-to-paste examples for a source's producers, shown beside its integration key (once).
// Signing follows docs/events.md: X-Nexecute-Timestamp (Unix seconds) and
// X-Nexecute-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>.

export interface ProducerExample {
  /** Names the example and its copy button. */
  readonly label: string;
  readonly text: string;
}

export interface ProducerExampleInput {
  /** Where producers reach the product, e.g. `https://connect.example.com`. */
  readonly origin: string;
  readonly integrationKey: string;
  readonly signed: boolean;
  /** The signing secret when it is known here (generated just now); otherwise a placeholder is used. */
  readonly signingSecret?: string;
}

const SECRET_PLACEHOLDER = '<your signing secret>';

/** A single-quoted shell word (a quote inside becomes '\''). */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A PagerDuty Events v2 trigger for POST /api/events, signed when the source requires it. */
export function curlExample({ origin, integrationKey, signed, signingSecret }: ProducerExampleInput): string {
  const body = JSON.stringify({
    routing_key: integrationKey,
    event_action: 'trigger',
    dedup_key: 'disk-full/db-01',
    payload: { summary: 'Disk 95% full on db-01', source: 'db-01', severity: 'critical' },
  });
  const url = `${origin}/api/events`;
  if (!signed) {
    return [
      `curl -sS -X POST ${shellQuote(url)} \\`,
      `  -H 'Content-Type: application/json' \\`,
      `  --data-raw ${shellQuote(body)}`,
    ].join('\n');
  }
  return [
    `SECRET=${shellQuote(signingSecret ?? SECRET_PLACEHOLDER)}`,
    `BODY=${shellQuote(body)}`,
    `TS=$(date +%s)`,
    `SIG=$(printf '%s.%s' "$TS" "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -hex | sed 's/^.* //')`,
    `curl -sS -X POST ${shellQuote(url)} \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -H "X-Nexecute-Timestamp: $TS" \\`,
    `  -H "X-Nexecute-Signature: sha256=$SIG" \\`,
    `  --data-raw "$BODY"`,
  ].join('\n');
}

/** A receiver for alertmanager.yml: the key as bearer credentials (Alertmanager's http_config). */
export function alertmanagerExample({ origin, integrationKey }: ProducerExampleInput): string {
  return [
    'receivers:',
    '  - name: nexecute',
    '    webhook_configs:',
    `      - url: '${origin}/api/events/alertmanager'`,
    '        send_resolved: true',
    '        http_config:',
    '          authorization:',
    '            type: Bearer',
    `            credentials: '${integrationKey}'`,
  ].join('\n');
}

export function producerExamples(input: ProducerExampleInput): readonly ProducerExample[] {
  return [
    { label: 'curl (POST /api/events)', text: curlExample(input) },
    { label: 'alertmanager.yml receiver', text: alertmanagerExample(input) },
  ];
}
