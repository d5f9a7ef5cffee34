import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/auth/access.decorators';
import { PeopleView } from './dto/person.view';
import { SearchPeopleQuery } from './dto/search-people.query';
import { UsersService } from './users.service';

/**
 * Who can be assigned: active people by name or email, for those who assign (responders and
 * admins). Read-only and without roles or sign-in details; managing people stays `/api/users`
 * (admins).
 */
@ApiTags('users')
@ApiBearerAuth()
@Roles('responder', 'admin')
@Controller('people')
export class PeopleController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOkResponse({ type: PeopleView })
  async search(@Query() query: SearchPeopleQuery): Promise<PeopleView> {
    const page = await this.users.list({
      search: query.search,
      status: 'active',
      sort: 'name',
      order: 'asc',
      page: 1,
      pageSize: query.limit,
    });
    return PeopleView.of(page.items);
  }
}
