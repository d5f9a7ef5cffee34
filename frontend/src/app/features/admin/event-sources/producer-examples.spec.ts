import { alertmanagerExample, curlExample } from './producer-examples';

describe('producer examples', () => {
  const key = 'k3x9p2ma7qv4c8n1r5t0w2y6z3b8d1f4';

  it('posts an unsigned PagerDuty v2 trigger with the key as routing_key', () => {
    const text = curlExample({ origin: 'https://connect.example.test', integrationKey: key, signed: false });
    expect(text).toContain(`curl -sS -X POST 'https://connect.example.test/api/events'`);
    const body = /--data-raw '(.*)'$/m.exec(text)![1]!;
    expect(JSON.parse(body)).toEqual({
      routing_key: key,
      event_action: 'trigger',
      dedup_key: 'disk-full/db-01',
      payload: { summary: 'Disk 95% full on db-01', source: 'db-01', severity: 'critical' },
    });
    expect(text).not.toContain('X-Nexecute-Signature');
  });

  it('signs with HMAC-SHA256 over timestamp "." body when the source is signed', () => {
    const text = curlExample({
      origin: 'http://x',
      integrationKey: key,
      signed: true,
      signingSecret: 's'.repeat(40),
    });
    expect(text).toContain(`SECRET='${'s'.repeat(40)}'`);
    expect(text).toContain(`printf '%s.%s' "$TS" "$BODY" | openssl dgst -sha256 -hmac "$SECRET"`);
    expect(text).toContain('-H "X-Nexecute-Timestamp: $TS"');
    expect(text).toContain('-H "X-Nexecute-Signature: sha256=$SIG"');
    // The body that is signed is the body that is sent.
    expect(text).toContain('--data-raw "$BODY"');
  });

  it('uses a placeholder when the secret is not known here (the admin chose it, or rotated the key only)', () => {
    expect(curlExample({ origin: 'http://x', integrationKey: key, signed: true })).toContain(
      `SECRET='<your signing secret>'`,
    );
  });

  it('quotes a single quote inside the body for the shell', () => {
    const text = curlExample({ origin: "http://it's", integrationKey: key, signed: false });
    expect(text).toContain(`'http://it'\\''s/api/events'`);
  });

  it('gives Alertmanager a webhook receiver with the key as bearer credentials', () => {
    expect(
      alertmanagerExample({ origin: 'https://c.example.test', integrationKey: key, signed: false }),
    ).toBe(
      [
        'receivers:',
        '  - name: nexecute',
        '    webhook_configs:',
        "      - url: 'https://c.example.test/api/events/alertmanager'",
        '        send_resolved: true',
        '        http_config:',
        '          authorization:',
        '            type: Bearer',
        `            credentials: '${key}'`,
      ].join('\n'),
    );
  });
});
