import { ApiProperty } from '@nestjs/swagger';
import type { UserView } from './user.view';

/** A person as other views show them (an incident's assignee, a people search): who, not what they may do. */
export class PersonView {
  @ApiProperty({ example: '6a2f0e1c-3b7d-4e59-8c1a-0f9b2d4e6a71' })
  id!: string;

  @ApiProperty({ example: 'Alice Moreau' })
  name!: string;

  @ApiProperty({ example: 'alice@example.com' })
  email!: string;
}

export class PeopleView {
  @ApiProperty({ type: [PersonView] })
  items!: PersonView[];

  static of(users: readonly UserView[]): PeopleView {
    return { items: users.map(({ id, name, email }) => ({ id, name, email })) };
  }
}
