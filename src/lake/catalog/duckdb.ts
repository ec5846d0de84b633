/**
 * The DuckDB catalog driver: the views are created over the files at query time (`cbbd query`), so registering a
 * table or a partition has nothing to record.
 */
import type { Catalog } from './catalog.ts';

export const DRIVER_NAME = 'duckdb';

export const duckdbCatalog: Catalog = {
  driverName: DRIVER_NAME,
  register: async () => {},
  addPartitions: async () => {},
};
