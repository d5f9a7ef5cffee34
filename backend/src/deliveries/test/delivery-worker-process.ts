// A real app process with a delivery worker, for crashed-worker.e2e-spec and
// bench/delivery-recovery: the whole app (no HTTP listener) on DATABASE_URL, with the settings in
// its environment. Run with `node -r backend/test/support/register-typescript.cjs`.
//   hold <n>  publishes n probe.changed events, waits until its consumers, which never finish, hold
//             the probe-all and probe-changes delivery of each, reports, and waits to be killed;
//   deliver   the usual probe consumers (they succeed); reports once its worker runs.
// Reports are one JSON log line with a `result` field on stdout, among the app's own log lines.
import { Logger, Module, type OnModuleInit } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { createLogger } from '../../common/logging/logger';
import { NestPinoLogger } from '../../common/logging/nest-pino-logger';
import { loadConfig } from '../../config/app-config';
import { createHttpApplication } from '../../http-application';
import { DeliveryConsumers, type DeliveryConsumer, type DeliveryContext } from '../delivery-consumers';
import { DeliveriesModule } from '../deliveries.module';
import { anEvent, eventually, publish } from './delivery-fixtures';
import { DeliveryProbeModule } from './delivery-probe.module';

/** Takes a delivery and never finishes it, as a consumer stuck on a dead connection would. */
class StuckConsumer implements DeliveryConsumer {
  readonly entered = new Set<string>();

  constructor(
    readonly name: string,
    readonly events: DeliveryConsumer['events'],
    readonly maxAttempts?: number,
  ) {}

  handle(_event: unknown, context: DeliveryContext): Promise<void> {
    this.entered.add(context.idempotencyKey);
    return new Promise<void>(() => undefined);
  }
}

/** The probe consumers' names, so the healthy app's probes take over what these held. */
const stuckAll = new StuckConsumer('probe-all', '*');
/** One attempt only: its interrupted attempt was its last, so it ends dead and needs a replay. */
const stuckChanges = new StuckConsumer('probe-changes', { 'probe.changed': [1] }, 1);

@Module({ imports: [DeliveriesModule] })
class StuckProbeModule implements OnModuleInit {
  constructor(private readonly consumers: DeliveryConsumers) {}

  onModuleInit(): void {
    this.consumers.register(stuckAll);
    this.consumers.register(stuckChanges);
  }
}

async function main(mode: string, events: number): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.log.level);
  Logger.overrideLogger(new NestPinoLogger(logger));
  const url = config.database.url;
  if (!url) throw new Error('DATABASE_URL must be set');
  const app = await createHttpApplication(config, url, {
    logger,
    extraImports: [mode === 'hold' ? StuckProbeModule : DeliveryProbeModule],
  });
  await app.init(); // starts the worker (onApplicationBootstrap)
  if (mode !== 'hold') {
    logger.info({ result: { workerRunning: true } }, 'worker running');
    return;
  }
  const dataSource = app.get<DataSource>(getDataSourceToken());
  const eventIds: string[] = [];
  for (let i = 0; i < events; i++) eventIds.push(await publish({ app, dataSource }, anEvent()));
  const keys = eventIds.flatMap((id) => [`probe-all:${id}`, `probe-changes:${id}`]);
  // every delivery entered its consumer; graphile-worker wrote its pool's id to their locked_by
  const owners = await eventually(async () => {
    const entered = keys.every((key) => stuckAll.entered.has(key) || stuckChanges.entered.has(key));
    const rows = await dataSource.query<{ locked_by: string }[]>(
      'SELECT DISTINCT locked_by FROM graphile_worker.jobs WHERE key = ANY ($1)',
      [keys],
    );
    return entered ? rows : undefined;
  });
  logger.info({ result: { poolId: owners[0]?.locked_by, owners: owners.length, eventIds } }, 'holding');
  // the worker's pool keeps the process alive until SIGKILL
}

const [mode = 'deliver', events = '1'] = process.argv.slice(2);
main(mode, Number(events)).catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
