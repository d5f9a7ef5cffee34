import { signatureOf, signatureProblem } from '../common/http/signed-request';
import {
  closeCodeFromServiceNow,
  closeCodeToServiceNow,
  CONFLICT_POLICY,
  fromServiceNowRecord,
  inboundWins,
  outboundWins,
  toServiceNowFields,
  type OurValues,
} from './servicenow-field-map';
import { DEFAULT_MAPPING } from './servicenow-sync-settings';
import { parseServiceNowEvent } from './servicenow-sync-event';

const BASE_CHOICES = ['Solved (Work Around)', 'Solved (Permanently)', 'Closed/Resolved by Caller'].map(
  (c) => ({
    value: c,
    label: c,
  }),
);

describe('the conflict policy', () => {
  it('gives every mapped field one owner, and never maps priority', () => {
    expect(CONFLICT_POLICY.map((p) => p.theirs)).not.toContain('priority');
    expect(new Set(CONFLICT_POLICY.map((p) => p.owner))).toEqual(
      new Set(['servicenow', 'nexecute', 'last_writer']),
    );
  });

  it('servicenow: their value always wins inbound and ours is never written', () => {
    const ours = { by: 'nexecute' as const, at: '2026-12-04T10:00:05.000Z', version: 3 };
    expect(inboundWins('servicenow', ours, new Date('2026-12-04T09:00:00Z'))).toBe(true);
    expect(outboundWins('servicenow', undefined, new Date(), 3)).toBe(false);
  });

  it('nexecute: their value never wins inbound and ours is always written', () => {
    expect(inboundWins('nexecute', undefined, new Date())).toBe(false);
    const theirs = { by: 'servicenow' as const, at: '2026-12-04T10:00:05.000Z' };
    expect(outboundWins('nexecute', theirs, new Date('2026-12-04T10:00:00Z'), 2)).toBe(true);
  });

  it('last writer: the later second wins both ways, and ServiceNow within the same second', () => {
    const ours = { by: 'nexecute' as const, at: '2026-12-04T10:00:05.400Z', version: 3 };
    expect(inboundWins('last_writer', ours, new Date('2026-12-04T10:00:04Z'))).toBe(false);
    expect(inboundWins('last_writer', ours, new Date('2026-12-04T10:00:05Z'))).toBe(true);
    expect(inboundWins('last_writer', ours, new Date('2026-12-04T10:00:06Z'))).toBe(true);
    const theirs = { by: 'servicenow' as const, at: '2026-12-04T10:00:05.000Z' };
    expect(outboundWins('last_writer', theirs, new Date('2026-12-04T10:00:05.900Z'), 4)).toBe(false);
    expect(outboundWins('last_writer', theirs, new Date('2026-12-04T10:00:06.100Z'), 4)).toBe(true);
  });

  it('last writer: once the record version our write made is known, the instance order decides, not the second', () => {
    const ours = { by: 'nexecute' as const, at: '2026-12-04T10:00:05.400Z', version: 3, modCount: 7 };
    // made before ours there (overwritten by it), reported late: not taken, whatever its second
    expect(inboundWins('last_writer', ours, new Date('2026-12-04T10:00:05Z'), 6)).toBe(false);
    expect(inboundWins('last_writer', ours, new Date('2026-12-04T10:00:05Z'), 7)).toBe(false);
    // made after ours there, even within the same second: taken
    expect(inboundWins('last_writer', ours, new Date('2026-12-04T10:00:05Z'), 8)).toBe(true);
    // no version known: the second decides
    expect(inboundWins('last_writer', ours, new Date('2026-12-04T10:00:05Z'), NaN)).toBe(true);
  });

  it('does not write a field a newer version of ours already wrote (deliveries out of order)', () => {
    const newer = { by: 'nexecute' as const, at: '2026-12-04T10:00:09.000Z', version: 7 };
    expect(outboundWins('last_writer', newer, new Date('2026-12-04T10:00:08Z'), 6)).toBe(false);
    expect(outboundWins('nexecute', newer, new Date('2026-12-04T10:00:08Z'), 6)).toBe(false);
  });
});

describe('field mapping', () => {
  const values: OurValues = {
    title: 'Checkout 502',
    description: 'EU only',
    impact: 1,
    urgency: 2,
    category: 'network',
    assignmentGroup: 'Network Operations',
    state: 'resolved',
    closeCode: 'Workaround provided',
    closeNotes: 'Rolled back',
  };

  it('writes impact and urgency as strings, the state as its number, resolution with close code and notes', () => {
    const mapping = { ...DEFAULT_MAPPING, assignmentGroups: { 'Network Operations': 'grp1' } };
    const fields = toServiceNowFields(
      values,
      CONFLICT_POLICY.map((p) => p.ours),
      mapping,
      (c) => closeCodeToServiceNow(c, mapping, BASE_CHOICES),
    );
    expect(fields).toEqual({
      short_description: 'Checkout 502',
      description: 'EU only',
      impact: '1',
      urgency: '2',
      category: 'network',
      assignment_group: 'grp1',
      state: '6',
      close_code: 'Solved (Work Around)',
      close_notes: 'Rolled back',
    });
  });

  it("writes impact and urgency through the connection's mapping, and reads them back through it", () => {
    // an instance whose impact scale runs the other way round, and with a fourth urgency level
    const mapping = {
      ...DEFAULT_MAPPING,
      impact: { '1': '3', '2': '2', '3': '1' },
      urgency: { '1': '1', '2': '2', '3': '4' },
    };
    expect(toServiceNowFields(values, ['impact', 'urgency'], mapping, (c) => c)).toEqual({
      impact: '3',
      urgency: '2',
    });
    expect(toServiceNowFields({ ...values, urgency: 3 }, ['urgency'], mapping, (c) => c)).toEqual({
      urgency: '4',
    });
    expect(fromServiceNowRecord({ impact: '3', urgency: '4' }, mapping)).toEqual({ impact: 1, urgency: 3 });
    // a value no level maps to is read as itself if it is a level, never guessed otherwise
    expect(fromServiceNowRecord({ impact: '2', urgency: '5' }, mapping)).toEqual({ impact: 2 });
  });

  it('writes hold_reason with On Hold', () => {
    expect(toServiceNowFields({ ...values, state: 'on_hold' }, ['state'], DEFAULT_MAPPING, (c) => c)).toEqual(
      { state: '3', hold_reason: '4' },
    );
  });

  it('maps close codes through the mapping, the instance choices, then base equivalents', () => {
    const mapped = { ...DEFAULT_MAPPING, closeCodes: { Duplicate: 'Dup' } };
    expect(closeCodeToServiceNow('Duplicate', mapped, BASE_CHOICES)).toBe('Dup');
    expect(
      closeCodeToServiceNow('Duplicate', DEFAULT_MAPPING, [{ value: 'duplicate', label: 'Duplicate' }]),
    ).toBe('duplicate');
    expect(closeCodeToServiceNow('Resolved by caller', DEFAULT_MAPPING, BASE_CHOICES)).toBe(
      'Closed/Resolved by Caller',
    );
    expect(closeCodeToServiceNow('Known error', DEFAULT_MAPPING, BASE_CHOICES)).toBe('Solved (Work Around)');
    expect(closeCodeFromServiceNow('Solved (Work Around)', DEFAULT_MAPPING)).toBe('Workaround provided');
    expect(closeCodeFromServiceNow('Something else', DEFAULT_MAPPING)).toBe('Solution provided');
  });

  it('reads a record, leaving out what it cannot map', () => {
    const mapping = { ...DEFAULT_MAPPING, assignmentGroups: { 'Service Desk': 'grp2' } };
    expect(
      fromServiceNowRecord(
        {
          short_description: '  Mail   down ',
          impact: '2',
          urgency: '9',
          state: '3',
          assignment_group: { link: 'https://x/api/now/table/sys_user_group/grp2', value: 'grp2' },
          priority: '1',
        },
        mapping,
      ),
    ).toEqual({ title: 'Mail down', impact: 2, state: 'on_hold', assignmentGroup: 'Service Desk' });
  });
});

describe('webhook events', () => {
  it('verifies the golden vector of protocols.md §1.7 with the shared verifier', () => {
    const body =
      '{"event_id":"evt-0001","event":"incident.updated","record":{"sys_id":"a9e30c7dc61122760116894de7bcc7bd","number":"INC0000046","state":"2"}}';
    const golden = 'sha256=5161c4926d81463e995033737e493031ad9c5f16a91b6ea223975f96bb1f5dfc';
    expect(signatureOf('nx-test-secret', '1700000000', body)).toBe(golden);
    const check = (signature: string, nowMs = 1700000000_000) =>
      signatureProblem(
        'nx-test-secret',
        { timestamp: '1700000000', signature },
        Buffer.from(body),
        300,
        nowMs,
      );
    expect(check(golden)).toBeNull();
    expect(check(`sha256=${'0'.repeat(64)}`)?.kind).toBe('invalid');
    expect(check(golden, 1700000301_000)?.kind).toBe('stale');
  });

  it('accepts a journal row and refuses a record without sys_updated_on', () => {
    const journal = parseServiceNowEvent({
      event_id: 'j1',
      event: 'journal.added',
      record: { sys_id: 'j', element: 'work_notes', element_id: 'abc', value: 'x', sys_created_by: 'beth' },
    });
    expect(journal).toMatchObject({ body: { journal: { element: 'work_notes', element_id: 'abc' } } });
    expect(
      parseServiceNowEvent({ event_id: 'e', event: 'incident.updated', record: { sys_id: 'abc' } }),
    ).toEqual({ errors: [{ field: 'record.sys_updated_on', message: 'must be YYYY-MM-DD HH:MM:SS (UTC)' }] });
  });
});
