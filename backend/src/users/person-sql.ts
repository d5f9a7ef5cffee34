/**
 * How a view rendered from one query shows a person (PersonView: id, name, email): a LEFT JOIN
 * and the joined columns. Given by UsersService so the users table stays the Users module's.
 */
export interface PersonSql {
  readonly join: string;
  readonly id: string;
  readonly name: string;
  readonly email: string;
}
