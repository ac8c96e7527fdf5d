import * as zlib from 'node:zlib';

/** Compression algorithms of `PayloadOptions.compression`; `zstd` only where the runtime has it. */
export type CompressionAlgorithm = 'gzip' | 'br' | 'zstd';

type SyncCodec = (buf: Uint8Array) => Buffer;

// zstd arrived in node:zlib with Node 22.15 / 23.8: looked up at run time, so Node 20 still loads.
const zstd = zlib as unknown as { zstdCompressSync?: SyncCodec; zstdDecompressSync?: SyncCodec };

const COMPRESS: Record<CompressionAlgorithm, SyncCodec | undefined> = {
  gzip: buf => zlib.gzipSync(buf),
  // Brotli's default quality (11) costs ~50x gzip's CPU for a few % less: 5 is the usual trade-off for messages.
  br: buf => zlib.brotliCompressSync(buf, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } }),
  zstd: zstd.zstdCompressSync,
};

const DECOMPRESS: Record<CompressionAlgorithm, SyncCodec | undefined> = {
  gzip: buf => zlib.gunzipSync(buf),
  br: buf => zlib.brotliDecompressSync(buf),
  zstd: zstd.zstdDecompressSync,
};

/** True when this runtime can compress and decompress with `algorithm` (zstd: Node ≥ 22.15). */
export function isCompressionSupported(algorithm: string): algorithm is CompressionAlgorithm {
  return COMPRESS[algorithm as CompressionAlgorithm] !== undefined && DECOMPRESS[algorithm as CompressionAlgorithm] !== undefined;
}

/** Compresses `bytes`; throws when the runtime lacks `algorithm`. */
export function compress(algorithm: CompressionAlgorithm, bytes: Uint8Array): Buffer {
  const fn = COMPRESS[algorithm];
  if (!fn) throw new Error(`compression "${algorithm}" is not available in Node ${process.versions.node}`);
  return fn(bytes);
}

/** Decompresses `bytes` written with `algorithm` (the entry's `ce` field); throws on unknown ones. */
export function decompress(algorithm: string, bytes: Uint8Array): Buffer {
  const fn = DECOMPRESS[algorithm as CompressionAlgorithm];
  if (!fn) throw new Error(`content encoding "${algorithm}" is not supported by Node ${process.versions.node}`);
  return fn(bytes);
}
