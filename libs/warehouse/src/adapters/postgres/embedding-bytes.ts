/**
 * How the local warehouse stores an embedding: `bytea` of float32 values, 4 bytes per dimension,
 * BIG-ENDIAN. This file is the only place that encodes or decodes them (migration 003 converted the
 * jsonb rows of earlier versions to the same bytes in SQL).
 *
 * Why bytes: a jsonb embedding is 1536 `numeric`s that Postgres parses on every landing (about 1 ms of
 * server CPU per row) and prints on every read, and that JS stringifies and parses at both ends; bytes
 * are copied, never parsed. Why float32: the vector index holds float32 and embedders produce values
 * of that precision; it is 4 bytes a dimension instead of 8. A departure from docs/contracts.md, "The published row"
 * for the local warehouse only (BigQuery keeps ARRAY<FLOAT64>); the port still carries `number[]`,
 * whose values come back rounded to the nearest float32.
 *
 * Why big-endian: it is Postgres's own binary form of a real (`float4send`), so SQL can build and read
 * these bytes without a function of ours (migration 003 does). JS reads and writes them through a
 * DataView, big-endian by default whatever the host's order (and faster than a typed array's
 * conversion to and from a plain array).
 */

/** Bytes per dimension. */
export const FLOAT32_BYTES = 4;

/** Thrown for a finite value too large for a float32: the local warehouse cannot hold it. */
export class Float32RangeError extends RangeError {
  constructor(whose: string, index: number, value: number) {
    super(`${whose} embedding[${index}] is ${value}, beyond the range of a float32 (the local warehouse stores float32)`);
    this.name = 'Float32RangeError';
  }
}

/** Many embeddings' stored bytes, end to end in one buffer, and where each one is in it. */
export interface PackedEmbeddings {
  /** Every non-null embedding's bytes, in order. */
  data: Buffer;
  /** Per embedding, the 1-based offset of its bytes in `data` (SQL's `substring` counts from 1); null for null. */
  from: Array<number | null>;
  /** Per embedding, its length in bytes; null for null. */
  bytes: Array<number | null>;
}

/**
 * Encodes embeddings into one buffer. Throws Float32RangeError, naming the embedding by `whose(index)`,
 * for a finite value beyond float32's range.
 */
export function packEmbeddings(
  embeddings: ReadonlyArray<readonly number[] | null>,
  whose: (index: number) => string = (index) => `embedding ${index}:`,
): PackedEmbeddings {
  const total = embeddings.reduce((sum, embedding) => sum + (embedding?.length ?? 0), 0);
  const packed: PackedEmbeddings = { data: Buffer.allocUnsafe(total * FLOAT32_BYTES), from: [], bytes: [] };
  const view = new DataView(packed.data.buffer, packed.data.byteOffset, packed.data.byteLength);
  let at = 0;
  for (const [index, embedding] of embeddings.entries()) {
    if (embedding === null) {
      packed.from.push(null);
      packed.bytes.push(null);
      continue;
    }
    packed.from.push(at + 1);
    packed.bytes.push(embedding.length * FLOAT32_BYTES);
    for (let i = 0; i < embedding.length; i++) {
      const value = embedding[i] as number;
      // Validation (snapshot.ts) already refused non-finite input: an infinity after rounding is an overflow.
      if (!Number.isFinite(Math.fround(value))) throw new Float32RangeError(whose(index), i, value);
      view.setFloat32(at, value);
      at += FLOAT32_BYTES;
    }
  }
  return packed;
}

/** The values of one embedding's stored bytes. */
export function decodeEmbedding(bytes: Uint8Array): number[] {
  if (bytes.byteLength % FLOAT32_BYTES !== 0) {
    throw new RangeError(`a stored embedding is ${bytes.byteLength} bytes, not a whole number of float32s`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Array<number>(bytes.byteLength / FLOAT32_BYTES);
  for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * FLOAT32_BYTES);
  return values;
}
