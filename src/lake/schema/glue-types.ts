/** Glue/Hive type spelling to DuckDB's, for the declared columns of the catalog (`struct<a:int>` -> `STRUCT("a" INTEGER)`). */
const PRIMITIVE: Record<string, string> = {
  boolean: 'BOOLEAN', tinyint: 'TINYINT', smallint: 'SMALLINT', int: 'INTEGER', bigint: 'BIGINT', float: 'FLOAT', double: 'DOUBLE',
  string: 'VARCHAR', date: 'DATE', timestamp: 'TIMESTAMP', binary: 'BLOB',
};

export function duckTypeOfGlue(type: string): string {
  let pos = 0;
  const word = () => {
    const m = /^[a-z0-9_]+/i.exec(type.slice(pos));
    if (!m) throw new Error(`bad type "${type}" at ${pos}`);
    pos += m[0].length;
    return m[0];
  };
  const expect = (c: string) => {
    if (type[pos] !== c) throw new Error(`bad type "${type}": expected "${c}" at ${pos}`);
    pos++;
  };
  const parse = (): string => {
    const w = word().toLowerCase();
    if (w === 'array') {
      expect('<');
      const of = parse();
      expect('>');
      return `${of}[]`;
    }
    if (w === 'struct') {
      expect('<');
      const fields: string[] = [];
      while (type[pos] !== '>') {
        const name = word();
        expect(':');
        fields.push(`"${name}" ${parse()}`);
        if (type[pos] === ',') pos++;
      }
      expect('>');
      return `STRUCT(${fields.join(', ')})`;
    }
    if (w === 'decimal') {
      const m = /^\(\d+,\d+\)/.exec(type.slice(pos));
      pos += m?.[0].length ?? 0;
      return `DECIMAL${m?.[0] ?? ''}`;
    }
    const p = PRIMITIVE[w];
    if (!p) throw new Error(`unsupported type "${w}" in "${type}"`);
    return p;
  };
  return parse();
}
