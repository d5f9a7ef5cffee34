import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';
import { RedisLink } from './redis-link';

/** The RedisLink when REDIS_URL is set, else null: inject with `@Inject(REDIS_LINK)`. */
export const REDIS_LINK = Symbol('REDIS_LINK');

/**
 * Redis, for the live gateway's fan-out across instances (infrastructure, so global). Closed at
 * application shutdown, which Nest runs after the Socket.IO server (and so its adapter) has closed.
 */
@Module({})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_LINK) private readonly link: RedisLink | null) {}

  static forRoot(config: AppConfig['redis']): DynamicModule {
    return {
      module: RedisModule,
      global: true,
      providers: [
        {
          provide: REDIS_LINK,
          useFactory: (): RedisLink | null => {
            if (!config.url) return null;
            const link = new RedisLink(config.url, config.keyPrefix);
            link.start();
            return link;
          },
        },
      ],
      exports: [REDIS_LINK],
    };
  }

  onApplicationShutdown(): void {
    this.link?.close();
  }
}
