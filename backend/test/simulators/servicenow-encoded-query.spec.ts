import { EncodedQueryError, parseEncodedQuery, sortRows, type Row } from './servicenow-encoded-query';

const FIELDS = new Set(['number', 'state', 'priority', 'short_description', 'sys_updated_on', 'close_code']);
const ROWS: Row[] = [
  {
    number: 'INC0010001',
    state: '1',
    priority: '5',
    short_description: 'Email down',
    sys_updated_on: '2026-03-01 09:00:00',
    close_code: '',
  },
  {
    number: 'INC0010002',
    state: '2',
    priority: '1',
    short_description: 'VPN flaps',
    sys_updated_on: '2026-03-01 09:00:05',
    close_code: '',
  },
  {
    number: 'INC0010003',
    state: '6',
    priority: '3',
    short_description: 'Printer jam',
    sys_updated_on: '2026-03-01 10:00:00',
    close_code: 'Solved (Permanently)',
  },
  {
    number: 'INC0010004',
    state: '10',
    priority: '2',
    short_description: 'email quota',
    sys_updated_on: '2026-03-02 00:00:00',
    close_code: '',
  },
];

function numbers(query: string): string[] {
  const parsed = parseEncodedQuery(query, { fields: FIELDS });
  return sortRows(ROWS.filter(parsed.matches), parsed.orderBy).map((row) => row.number ?? '');
}

describe('parseEncodedQuery', () => {
  it.each([
    ['', ['INC0010001', 'INC0010002', 'INC0010003', 'INC0010004']],
    ['state=2', ['INC0010002']],
    ['state!=2', ['INC0010001', 'INC0010003', 'INC0010004']],
    // numeric strings compare as numbers: "10" > "6"
    ['state>2', ['INC0010003', 'INC0010004']],
    ['state>=2', ['INC0010002', 'INC0010003', 'INC0010004']],
    ['state<2', ['INC0010001']],
    ['state<=2', ['INC0010001', 'INC0010002']],
    ['stateIN1,6', ['INC0010001', 'INC0010003']],
    ['stateNOT IN1,6', ['INC0010002', 'INC0010004']],
    ['short_descriptionSTARTSWITHemail', ['INC0010001', 'INC0010004']],
    ['short_descriptionENDSWITHjam', ['INC0010003']],
    ['short_descriptionLIKEmai', ['INC0010001', 'INC0010004']],
    ['short_descriptionNOTLIKEmai', ['INC0010002', 'INC0010003']],
    ['close_codeISEMPTY', ['INC0010001', 'INC0010002', 'INC0010004']],
    ['close_codeISNOTEMPTY', ['INC0010003']],
    ['state=1^priority=5', ['INC0010001']],
    ['state=1^priority=1', []],
    // ^OR binds to its neighbour only: (state=1 OR state=2) AND priority=1
    ['state=1^ORstate=2^priority=1', ['INC0010002']],
    ['state=1^NQstate=6', ['INC0010001', 'INC0010003']],
    ['state=1^priority=1^NQshort_descriptionLIKEprinter', ['INC0010003']],
    ['sys_updated_on>2026-03-01 09:00:00', ['INC0010002', 'INC0010003', 'INC0010004']],
    ["sys_updated_on>javascript:gs.dateGenerate('2026-03-01','09:00:05')", ['INC0010003', 'INC0010004']],
    [
      "sys_updated_on>=javascript:gs.dateGenerate('2026-03-01','09:00:05')^ORDERBYDESCsys_updated_on",
      ['INC0010004', 'INC0010003', 'INC0010002'],
    ],
    [
      "sys_updated_onBETWEENjavascript:gs.dateGenerate('2026-03-01','09:00:01')@javascript:gs.dateGenerate('2026-03-01','10:00:00')",
      ['INC0010002', 'INC0010003'],
    ],
    ['ORDERBYpriority', ['INC0010002', 'INC0010004', 'INC0010003', 'INC0010001']],
    ['ORDERBYDESCstate', ['INC0010004', 'INC0010003', 'INC0010002', 'INC0010001']],
    ['close_codeISEMPTY^ORDERBYDESCpriority^ORDERBYnumber', ['INC0010001', 'INC0010004', 'INC0010002']],
    // unknown fields are dropped, as the instance drops invalid parts
    ['bogus=1^state=2', ['INC0010002']],
    ['ORDERBYbogus^state=2', ['INC0010002']],
  ])('%s', (query, expected) => {
    expect(numbers(query)).toEqual(expected);
  });

  it('matches nothing for an unknown field when invalid queries return no rows', () => {
    const parsed = parseEncodedQuery('bogus=1^state=2', { fields: FIELDS, invalidQueryReturnsNoRows: true });
    expect(ROWS.filter(parsed.matches)).toEqual([]);
  });

  it('sorts stably: ties keep table order', () => {
    const rows: Row[] = [
      { number: 'a', sys_updated_on: '2026-03-01 09:00:00' },
      { number: 'b', sys_updated_on: '2026-03-01 09:00:00' },
      { number: 'c', sys_updated_on: '2026-03-01 08:00:00' },
    ];
    const sorted = sortRows(rows, [{ field: 'sys_updated_on', descending: false }]);
    expect(sorted.map((row) => row.number)).toEqual(['c', 'a', 'b']);
  });

  it('resolves javascript:gs.getUserID() to the caller', () => {
    const parsed = parseEncodedQuery('sys_id=javascript:gs.getUserID()', {
      fields: new Set(['sys_id']),
      callerSysId: 'abc',
    });
    expect(parsed.matches({ sys_id: 'abc' })).toBe(true);
    expect(parsed.matches({ sys_id: 'def' })).toBe(false);
  });

  it('refuses an operator or script it cannot evaluate on a known field', () => {
    expect(() => parseEncodedQuery('state~2', { fields: FIELDS })).toThrow(EncodedQueryError);
    expect(() => parseEncodedQuery('state=javascript:gs.beginningOfToday()', { fields: FIELDS })).toThrow(
      EncodedQueryError,
    );
  });
});
