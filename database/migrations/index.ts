import { DatabaseExtensions1764100000000 } from './1764100000000-database-extensions';

/** Every migration, oldest first. Listed explicitly so src (Jest) and dist (node) load the same set. */
export const migrations = [DatabaseExtensions1764100000000];
