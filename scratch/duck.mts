import { DuckDBInstance } from '@duckdb/node-api';
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const r = await c.runAndReadAll(`select 42::INTEGER as a, [1,2]::INTEGER[] as l, {'x': 1.5}::STRUCT(x DOUBLE) as s, DATE '2024-01-01' as d`);
console.log(r.getRowObjectsJson(), r.columnNames());
await c.run(`create table t as select * from (values (1, 'a')) v(id, name)`);
await c.run(`copy (select 1::BIGINT as id, 2024 as season, '2024-01-02' as date) to '/tmp/duckout' (format parquet, partition_by (season, date), overwrite_or_ignore true)`);
const js = await c.runAndReadAll(`select * from read_json('/dev/stdin') limit 0`).catch(e => String(e).slice(0,100));
console.log(js);
