/**
 * The WHERE clause of a hand-written query and its numbered parameters ($1, $2, …): values
 * always travel as parameters, never inside the SQL text.
 */
export class SqlConditions {
  readonly values: unknown[] = [];
  private readonly clauses: string[] = [];

  /** The placeholder of a new parameter holding `value`. */
  param(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  /** Placeholders for each value, comma-separated, for `IN (…)`. */
  params(values: readonly unknown[]): string {
    return values.map((v) => this.param(v)).join(', ');
  }

  and(clause: string): this {
    this.clauses.push(clause);
    return this;
  }

  /** `WHERE a AND b`, or nothing when there are no conditions. */
  toSql(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}
