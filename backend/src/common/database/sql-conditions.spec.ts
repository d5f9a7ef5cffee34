import { SqlConditions } from './sql-conditions';

describe('SqlConditions', () => {
  it('numbers parameters in the order they are added and joins clauses with AND', () => {
    const where = new SqlConditions();
    where.and(`state IN (${where.params(['new', 'on_hold'])})`).and(`source = ${where.param('slack')}`);
    expect(where.toSql()).toBe('WHERE state IN ($1, $2) AND source = $3');
    expect(where.values).toEqual(['new', 'on_hold', 'slack']);
    // A parameter used after the WHERE clause (a LIMIT, say) continues the numbering.
    expect(where.param(51)).toBe('$4');
  });

  it('keeps values out of the text, whatever they contain', () => {
    const where = new SqlConditions();
    where.and(`title = ${where.param("x'; DROP TABLE incidents; --")}`);
    expect(where.toSql()).toBe('WHERE title = $1');
  });

  it('is empty without conditions', () => {
    expect(new SqlConditions().toSql()).toBe('');
  });
});
