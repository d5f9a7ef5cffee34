import { Injectable } from '@nestjs/common';
import type { JobHelpers } from 'graphile-worker';
import { DELIVER_TASK } from './delivery-queue';

/** A graphile-worker task another module runs on the one job queue (the inbox's processing). */
export type WorkerTask = (payload: unknown, helpers: JobHelpers) => Promise<void>;

const TASK_NAME = /^[a-z][a-z0-9_.-]{0,62}$/;

/**
 * Tasks other modules add to the job queue this module runs (DeliveryWorker), so the app has one
 * worker pool, one heartbeat and one crash sweep. Register in `onModuleInit`: the worker starts
 * after every module is initialised.
 */
@Injectable()
export class WorkerTasks {
  private readonly byName = new Map<string, WorkerTask>();

  register(name: string, task: WorkerTask): void {
    if (!TASK_NAME.test(name)) throw new Error(`Worker task name "${name}" is not a plain name`);
    if (name === DELIVER_TASK || this.byName.has(name)) {
      throw new Error(`A worker task named "${name}" is already registered`);
    }
    this.byName.set(name, task);
  }

  entries(): ReadonlyArray<readonly [string, WorkerTask]> {
    return [...this.byName.entries()];
  }
}
