import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ServiceNowTrickle, type TrickleActionKind } from './servicenow-trickle';
import { parseSettings, UsageError } from './servicenow-simulator.main';
import { ServiceNowSimulator, TestClock } from './servicenow.simulator';

const REPO = join(__dirname, '..', '..', '..');

describe('ServiceNowTrickle', () => {
  it('makes realistic changes as ServiceNow people, each bumping the record and firing the business rule', async () => {
    const clock = new TestClock();
    const sim = await ServiceNowSimulator.start({ now: clock.now });
    try {
      const kinds = new Set<TrickleActionKind>();
      const trickle = new ServiceNowTrickle(sim, { seed: 7 });
      for (let i = 0; i < 80; i += 1) {
        clock.advance(3_000);
        const action = trickle.step();
        kinds.add(action.kind);
        expect(action.user).not.toBe(sim.integrationUserName());
        expect(action.number).toMatch(/^INC\d{7}$/);
      }
      expect([...kinds].sort()).toEqual(
        [
          'close',
          'comment',
          'create',
          'escalate',
          'hold',
          'resolve',
          'resume',
          'start_work',
          'work_note',
        ].sort(),
      );
      for (const row of sim.all()) {
        expect(['1', '2', '3', '6', '7']).toContain(row.state);
        if (row.state === '6' || row.state === '7') {
          expect(sim.closeCodes().map((code) => code.value)).toContain(row.close_code);
          expect(row.close_notes).not.toBe('');
        }
        if (row.state === '3') expect(row.hold_reason).toBe('1');
      }
      expect(sim.journal().length).toBeGreaterThan(0);
      expect(sim.journal().every((entry) => entry.sys_created_by !== sim.integrationUserName())).toBe(true);
    } finally {
      await sim.close();
    }
  });
});

describe('servicenow-simulator.main', () => {
  it('reads arguments over the environment', () => {
    const settings = parseSettings(['--port=0', '--trickle', '--emit-for=all'], {
      SERVICENOW_SIM_PORT: '9000',
      SERVICENOW_CLIENT_ID: 'from-env',
      SERVICENOW_WEBHOOK_SECRET: 'shh',
    });
    expect(settings).toMatchObject({
      port: 0,
      clientId: 'from-env',
      webhookSecret: 'shh',
      emitFor: 'all',
      trickleMs: 5000,
      initialIncidents: 3,
    });
    expect(() => parseSettings(['--bogus'], {})).toThrow(UsageError);
    expect(() => parseSettings(['--port=abc'], {})).toThrow(UsageError);
  });

  describe('as a process', () => {
    let child: ChildProcess | undefined;

    afterEach(() => {
      child?.kill('SIGKILL');
    });

    it('starts with the register-typescript hook, prints its settings and serves the Table API', async () => {
      child = spawn(
        process.execPath,
        [
          '-r',
          './backend/test/support/register-typescript.cjs',
          'backend/test/simulators/servicenow-simulator.main.ts',
          '--port=0',
          '--incidents=2',
          '--webhook-secret=demo-secret',
        ],
        { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const settings = await new Promise<Record<string, string>>((resolve, reject) => {
        let out = '';
        child?.stdout?.on('data', (chunk: Buffer) => {
          out += chunk.toString('utf8');
          if (/SERVICENOW_WEBHOOK_SECRET=.*\n/.test(out)) {
            resolve(
              Object.fromEntries([...out.matchAll(/^(SERVICENOW_\w+)=(.*)$/gm)].map((m) => [m[1], m[2]])),
            );
          }
        });
        child?.once('exit', (code) => reject(new Error(`exited ${String(code)}: ${out}`)));
      });
      expect(settings).toMatchObject({
        SERVICENOW_INSTANCE_URL: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        SERVICENOW_WEBHOOK_SECRET: 'demo-secret',
        SERVICENOW_ASSIGNMENT_GROUPS: expect.stringMatching(
          /^Service Desk=[0-9a-f]{32},Network=[0-9a-f]{32},/,
        ),
      });

      const token = await fetch(`${settings.SERVICENOW_INSTANCE_URL}/oauth_token.do`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: settings.SERVICENOW_CLIENT_ID ?? '',
          client_secret: settings.SERVICENOW_CLIENT_SECRET ?? '',
        }),
      });
      const { access_token } = (await token.json()) as { access_token: string };
      const list = await fetch(
        `${settings.SERVICENOW_INSTANCE_URL}/api/now/table/incident?sysparm_fields=number`,
        {
          headers: { Authorization: `Bearer ${access_token}` },
        },
      );
      expect(list.headers.get('x-total-count')).toBe('2');

      // The control surface drives it from outside: a ServiceNow person's change, a fault, an outage.
      const instance = settings.SERVICENOW_INSTANCE_URL ?? '';
      const control = (path: string, body: unknown): Promise<Response> =>
        fetch(`${instance}/_simulator/${path}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        });
      const created = await control('incidents', {
        fields: { short_description: 'from outside' },
        user: 'beth.anglin',
      });
      expect(created.status).toBe(201);
      expect(((await created.json()) as { result: { sys_created_by: string } }).result.sys_created_by).toBe(
        'beth.anglin',
      );
      await control('faults', { path: '/api/now/table/incident', status: 503, retryAfterSeconds: 2 });
      const faulted = await fetch(`${instance}/api/now/table/incident`, {
        headers: { Authorization: `Bearer ${access_token}` },
      });
      expect([faulted.status, faulted.headers.get('retry-after')]).toEqual([503, '2']);
      expect((await control('down', { forMs: 1500 })).status).toBe(202);
      const reachable = (): Promise<boolean> =>
        fetch(`${instance}/api/now/table/incident`).then(
          () => true,
          () => false,
        );
      // Polled rather than slept: the machine may be slow.
      const until = async (wanted: boolean): Promise<void> => {
        for (let i = 0; i < 200 && (await reachable()) !== wanted; i += 1) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(await reachable()).toBe(wanted);
      };
      await until(false);
      await until(true);
      const back = await fetch(`${instance}/api/now/table/incident?sysparm_fields=number`, {
        headers: { Authorization: `Bearer ${access_token}` },
      });
      expect(back.headers.get('x-total-count')).toBe('3');

      const exited = new Promise<number | null>((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      child = undefined;
    });
  });
});
