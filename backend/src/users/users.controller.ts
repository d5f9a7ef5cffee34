import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Roles } from '../common/auth/access.decorators';
import { CurrentActor } from '../common/auth/current-actor.decorator';
import type { RequestActor } from '../common/auth/principal';
import { ProblemDetailsDto } from '../common/errors/problem-details.dto';
import { ApiProblem } from '../common/http/openapi';
import { CreateUserDto } from './dto/create-user.dto';
import { ListUsersQuery } from './dto/list-users.query';
import { UpdateUserDto } from './dto/update-user.dto';
import { CreatedUserView, TemporaryPasswordView, UserPageView, UserView } from './dto/user.view';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Roles('admin')
@ApiNotFoundResponse({ type: ProblemDetailsDto, description: 'USER_NOT_FOUND' })
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOkResponse({ type: UserPageView })
  list(@Query() query: ListUsersQuery): Promise<UserPageView> {
    return this.users.list(query);
  }

  @Get(':id')
  @ApiOkResponse({ type: UserView })
  get(@Param('id', ParseUUIDPipe) id: string): Promise<UserView> {
    return this.users.view(id);
  }

  @Post()
  @ApiCreatedResponse({ type: CreatedUserView })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'USER_EMAIL_TAKEN' })
  @ApiProblem(422, '`AUTH_PASSWORD_POLICY`: `violations` lists what is wrong with the password')
  create(@Body() dto: CreateUserDto, @CurrentActor() actor: RequestActor): Promise<CreatedUserView> {
    return this.users.create(dto, actor);
  }

  @Patch(':id')
  @ApiOkResponse({ type: UserView })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'USER_LAST_ADMIN' })
  update(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateUserDto,
    @CurrentActor() actor: RequestActor,
  ): Promise<UserView> {
    return this.users.update(id, dto, actor);
  }

  @Post(':id/disable')
  @HttpCode(200)
  @ApiOkResponse({ type: UserView })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'USER_LAST_ADMIN' })
  disable(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: RequestActor): Promise<UserView> {
    return this.users.disable(id, actor);
  }

  @Post(':id/enable')
  @HttpCode(200)
  @ApiOkResponse({ type: UserView })
  enable(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: RequestActor): Promise<UserView> {
    return this.users.enable(id, actor);
  }

  @Post(':id/reset-password')
  @HttpCode(200)
  @ApiOkResponse({ type: TemporaryPasswordView })
  resetPassword(
    @Param('id', ParseUUIDPipe) id: string,
    @CurrentActor() actor: RequestActor,
  ): Promise<TemporaryPasswordView> {
    return this.users.resetPassword(id, actor);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'USER_LAST_ADMIN' })
  delete(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: RequestActor): Promise<void> {
    return this.users.delete(id, actor);
  }
}
