import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { MatDialog } from '@angular/material/dialog';
import { provideRouter } from '@angular/router';

import { byText, click, problemAnswer, settle, type } from '../../../../testing/incident-fixtures';
import { slackRule, slackRules } from '../../../../testing/slack-fixtures';
import { problemInterceptor } from '../../../core/problem-interceptor';
import { SlackRoutingRuleCreate } from './slack-api';
import { categoriesOf } from './slack-routing-rule-form';
import { describeMatch, describeThread, moved, SlackRoutingRules } from './slack-routing-rules';

const URL = '/api/integrations/slack/routes';

const network = slackRule({
  id: '7f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f',
  name: 'Network team',
  channelId: 'C0NETWORK1',
  priorities: [],
  categories: ['network'],
  sources: ['webhook'],
  internal: false,
  threadWorkNotes: false,
  position: 1,
});

describe('SlackRoutingRules', () => {
  let fixture: ComponentFixture<SlackRoutingRules>;
  let backend: HttpTestingController;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([problemInterceptor])),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(SlackRoutingRules);
    await settle();
  });

  afterEach(() => {
    TestBed.inject(MatDialog).closeAll();
    fixture.destroy();
    backend.verify();
  });

  function element(): HTMLElement {
    return fixture.nativeElement as HTMLElement;
  }

  function input(label: string): HTMLInputElement {
    const field = Array.from(element().querySelectorAll('mat-form-field')).find(
      (f) => f.querySelector('mat-label')?.textContent.trim() === label,
    );
    const found = field?.querySelector<HTMLInputElement>('input');
    if (!found) throw new Error(`no field labelled ${label}`);
    return found;
  }

  function checkbox(label: string): HTMLInputElement {
    const box = Array.from(element().querySelectorAll('mat-checkbox')).find((c) =>
      c.textContent.trim().startsWith(label),
    );
    const found = box?.querySelector<HTMLInputElement>('input[type="checkbox"]');
    if (!found) throw new Error(`no checkbox ${label}`);
    return found;
  }

  async function loaded(list = slackRules([slackRule(), network])): Promise<void> {
    expect(element().textContent).toContain('Loading the routing rules…');
    backend.expectOne(URL).flush(list);
    await settle();
  }

  it('lists the rules in order with what they match and what their thread gets, and the default channel', async () => {
    await loaded();
    const rules = Array.from(element().querySelectorAll('li.rule'));
    expect(rules.map((r) => r.querySelector('.name')!.textContent.trim())).toEqual([
      'Major incidents',
      'Network team',
    ]);
    expect(rules[0]!.textContent).toContain('P1 · any category · any source');
    expect(rules[0]!.textContent).toContain('internal');
    expect(rules[0]!.textContent).toContain('Thread: comments, work notes, state changes');
    expect(rules[1]!.textContent).toContain('any priority · category network · from webhook');
    expect(element().querySelector('.intro')!.textContent).toContain('C0INCIDENTS');
    // The first cannot move up, the last cannot move down.
    expect(byText('button', 'Up', rules[0]).hasAttribute('disabled')).toBe(true);
    expect(byText('button', 'Down', rules[1]).hasAttribute('disabled')).toBe(true);
  });

  it('says when there are no rules and no default channel', async () => {
    await loaded(slackRules([], null));
    expect(element().textContent).toContain('No rules yet');
    expect(element().textContent).toContain('are not posted (no SLACK_DEFAULT_CHANNEL)');
  });

  it('adds a rule: validates the channel id, sends what was chosen, keeps work notes for internal channels', async () => {
    await loaded(slackRules([]));
    click(byText('button', 'Add rule', element()));
    await settle();
    type(input('Name'), 'Database');
    type(input('Channel ID'), '#db');
    click(byText('button', 'Add rule', element()));
    await settle();
    expect(element().textContent).toContain('A channel ID looks like C0123456789');
    backend.expectNone(URL);

    type(input('Channel ID'), 'C0DATABASE');
    type(input('Categories'), 'database, Storage ,, database');
    click(checkbox('P1'));
    click(checkbox('P2'));
    expect(checkbox('Work notes in the thread').disabled).toBe(true);
    click(checkbox('Internal channel'));
    await settle();
    expect(checkbox('Work notes in the thread').disabled).toBe(false);
    click(checkbox('Work notes in the thread'));
    click(byText('button', 'Add rule', element()));
    await settle();
    const request = backend.expectOne({ method: 'POST', url: URL });
    expect(request.request.body as SlackRoutingRuleCreate).toEqual({
      name: 'Database',
      channelId: 'C0DATABASE',
      priorities: [1, 2],
      categories: ['database', 'Storage'],
      sources: [],
      internal: true,
      threadComments: true,
      threadWorkNotes: true,
      threadStateChanges: true,
      enabled: true,
    });
    request.flush(slackRule({ name: 'Database' }));
    await settle();
    backend.expectOne(URL).flush(slackRules([slackRule({ name: 'Database' })]));
    await settle();
    expect(element().querySelector('nx-slack-routing-rule-form')).toBeNull();
    expect(element().textContent).toContain('Database');
  });

  it('edits a rule with PATCH and shows the API’s problem when it is refused', async () => {
    await loaded();
    click(byText('button', 'Edit', element().querySelectorAll('li.rule')[1]));
    await settle();
    expect(input('Channel ID').value).toBe('C0NETWORK1');
    expect(input('Categories').value).toBe('network');
    type(input('Name'), 'Network operations');
    click(byText('button', 'Save rule', element()));
    await settle();
    const request = backend.expectOne({ method: 'PATCH', url: `${URL}/${network.id}` });
    expect(request.request.body).toMatchObject({ name: 'Network operations', sources: ['webhook'] });
    request.flush(
      ...problemAnswer(
        422,
        'SLACK_ROUTE_WORK_NOTES_INTERNAL',
        'Work notes go only to channels marked internal',
      ),
    );
    await settle();
    expect(element().querySelector('nx-slack-routing-rule-form nx-problem-notice')!.textContent).toContain(
      'Work notes go only to channels marked internal',
    );
  });

  it('moves a rule with the whole new order, and reloads when someone else changed the rules', async () => {
    await loaded();
    click(byText('button', 'Down', element().querySelectorAll('li.rule')[0]));
    await settle();
    const request = backend.expectOne({ method: 'PUT', url: `${URL}/order` });
    expect(request.request.body).toEqual({ ids: [network.id, slackRule().id] });
    request.flush(
      slackRules([
        { ...network, position: 0 },
        { ...slackRule(), position: 1 },
      ]),
    );
    await settle();
    expect(Array.from(element().querySelectorAll('li.rule .name')).map((n) => n.textContent.trim())).toEqual([
      'Network team',
      'Major incidents',
    ]);

    click(byText('button', 'Up', element().querySelectorAll('li.rule')[1]));
    await settle();
    backend
      .expectOne({ method: 'PUT', url: `${URL}/order` })
      .flush(...problemAnswer(409, 'SLACK_ROUTE_ORDER_MISMATCH', 'The order must name each of the 3 rules'));
    await settle();
    expect(element().querySelector('nx-problem-notice')!.textContent).toContain('The order must name each');
    backend.expectOne(URL).flush(slackRules([slackRule(), network]));
    await settle();
  });

  it('deletes a rule only once confirmed', async () => {
    await loaded();
    click(byText('button', 'Delete', element().querySelectorAll('li.rule')[1]));
    await settle();
    await settle();
    const confirm = byText('mat-dialog-container button', 'Delete rule');
    click(confirm);
    await settle();
    backend.expectOne({ method: 'DELETE', url: `${URL}/${network.id}` }).flush(null);
    await settle();
    backend.expectOne(URL).flush(slackRules([slackRule()]));
    await settle();
    expect(element().querySelectorAll('li.rule')).toHaveLength(1);
  });
});

describe('routing rule helpers', () => {
  it('describes matches and threads, moves ids and reads categories', () => {
    expect(describeMatch(slackRule({ priorities: [], categories: [], sources: [] }))).toBe(
      'any priority · any category · any source',
    );
    expect(
      describeThread(slackRule({ threadComments: false, threadWorkNotes: false, threadStateChanges: false })),
    ).toBe('nothing');
    expect(moved(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(moved(['a', 'b'], 0, -1)).toEqual(['a', 'b']);
    expect(categoriesOf(' a, ,b ,a')).toEqual(['a', 'b']);
  });
});
