/**
 * Column types an asset schema may declare: the ones both Parquet (through DuckDB) and the Glue/Athena catalog
 * understand, written in Glue's (Hive's) spelling: `int`, `bigint`, `double`, `string`, `date`, `timestamp`,
 * `decimal(9,2)`, `array<int>`, `struct<made:int,attempted:int>`, `map<string,double>`.
 */
const PRIMITIVES = new Set([
  'boolean', 'tinyint', 'smallint', 'int', 'bigint', 'float', 'double', 'string', 'date', 'timestamp', 'binary',
]);

/** Why a type string is not supported, or undefined when it is. */
export function columnTypeProblem(type: string): string | undefined {
  const parser = new TypeParser(type);
  try {
    parser.parseType();
    if (!parser.atEnd()) return `unexpected "${type.slice(parser.pos)}" after a complete type`;
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

class TypeParser {
  pos = 0;
  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  parseType(): void {
    const word = this.word();
    if (PRIMITIVES.has(word)) return;
    if (word === 'decimal') {
      this.expect('(');
      const precision = this.number();
      this.expect(',');
      const scale = this.number();
      this.expect(')');
      if (precision < 1 || precision > 38 || scale > precision) throw new Error(`decimal(${precision},${scale}) is out of range`);
      return;
    }
    if (word === 'array') {
      this.expect('<');
      this.parseType();
      this.expect('>');
      return;
    }
    if (word === 'map') {
      this.expect('<');
      this.parseType();
      this.expect(',');
      this.parseType();
      this.expect('>');
      return;
    }
    if (word === 'struct') {
      this.expect('<');
      const seen = new Set<string>();
      do {
        const field = this.word();
        if (seen.has(field.toLowerCase())) throw new Error(`struct field "${field}" appears twice (case is ignored)`);
        seen.add(field.toLowerCase());
        this.expect(':');
        this.parseType();
      } while (this.accept(','));
      this.expect('>');
      return;
    }
    throw new Error(
      `"${word}" is not a type Parquet and Glue both support (use one of ${[...PRIMITIVES].join(', ')}, decimal(p,s), array<>, map<>, struct<>)`,
    );
  }

  private word(): string {
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos));
    if (!m) throw new Error(`expected a name at "${this.text.slice(this.pos) || 'the end'}"`);
    this.pos += m[0].length;
    return m[0];
  }

  private number(): number {
    const m = /^\d+/.exec(this.text.slice(this.pos));
    if (!m) throw new Error(`expected a number at "${this.text.slice(this.pos) || 'the end'}"`);
    this.pos += m[0].length;
    return Number(m[0]);
  }

  private accept(ch: string): boolean {
    if (this.text[this.pos] !== ch) return false;
    this.pos++;
    return true;
  }

  private expect(ch: string): void {
    if (!this.accept(ch)) throw new Error(`expected "${ch}" at "${this.text.slice(this.pos) || 'the end'}"`);
  }
}
