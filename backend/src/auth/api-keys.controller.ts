import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Roles } from '../common/auth/access.decorators';
import { CurrentActor } from '../common/auth/current-actor.decorator';
import type { RequestActor } from '../common/auth/principal';
import { ApiProblem } from '../common/http/openapi';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyListView, ApiKeyView, CreatedApiKeyView } from './dto/api-key.view';
import { CreateApiKeyDto } from './dto/create-api-key.dto';

@ApiTags('api-keys')
@ApiBearerAuth()
@Roles('admin')
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Get()
  @ApiOkResponse({ type: ApiKeyListView })
  async list(): Promise<ApiKeyListView> {
    return { items: (await this.apiKeys.list()).map((k) => ApiKeyView.of(k)) };
  }

  @Post()
  @ApiCreatedResponse({ type: CreatedApiKeyView })
  async create(
    @Body() dto: CreateApiKeyDto,
    @CurrentActor() actor: RequestActor,
  ): Promise<CreatedApiKeyView> {
    const { apiKey, key } = await this.apiKeys.create(dto, actor);
    return { apiKey: ApiKeyView.of(apiKey), key };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiProblem(404, '`AUTH_API_KEY_NOT_FOUND`')
  async revoke(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: RequestActor): Promise<void> {
    await this.apiKeys.revoke(id, actor);
  }
}
