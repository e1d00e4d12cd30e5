// TypeScript shapes of the proto messages in their JSON form, as the harness
// uses them after parseMessage() has filled in defaults.

export type WriteStyle = 'WRITE_STYLE_UNSPECIFIED' | 'AWAITED' | 'FIRE_AND_FORGET';
export type ReadStyle = 'READ_STYLE_UNSPECIFIED' | 'READ_ALL' | 'STREAM' | 'TEXTS_ONLY';

export interface Slice {
  seed: string;
  offset: number;
  length: number;
}

export type Op =
  | { bytes: { seed: string; offset?: number; length: number; chunk?: number } }
  | { text: { value: string; repeat?: number } }
  | { pause: { ms: number } }
  | { close: Record<string, never> }
  | { abort: Record<string, never> }
  | { exit: { code?: number } };

export interface Plan {
  ops: Op[];
  style?: WriteStyle;
}

export interface ReadSpec {
  style?: ReadStyle;
  texts?: boolean;
  start_delay_ms?: number;
  chunk_delay_ms?: number;
  stop_after_bytes?: number;
  expect?: Slice[];
  /** TEXTS_ONLY: how many texts the reader waits for */
  expect_texts?: number;
}

export interface TextRecord {
  length: number;
  sha256: string;
  at_byte: number;
  preview: string;
}

export interface ErrorInfo {
  code: string;
  message: string;
  stage: string;
}

export interface Mismatch {
  offset: number;
  chunk: number;
  chunk_offset: number;
  expected_hex: string;
  actual_hex: string;
}

export interface Digest {
  role: string;
  lang: string;
  bytes: number;
  sha256: string;
  texts: TextRecord[];
  texts_sha256: string;
  chunks: number;
  empty_chunks: number;
  max_chunk: number;
  end: string;
  error?: ErrorInfo | null;
  timing?: { start_ms: number; first_byte_ms: number; end_ms: number } | null;
  rss_peak_kib: number;
  mismatch?: Mismatch | null;
}

export interface WriteResult {
  digest: Digest | null;
  reader_digest?: Digest | null;
  /** fan-out: digests of writer_2 … writer_N in order */
  fanout?: Digest[];
}

export interface ReadResult {
  digest: Digest | null;
}

export interface RelayResult {
  input: Digest | null;
  output: Digest | null;
}

export interface RecallResult {
  running: string[];
  write?: WriteResult | null;
  read?: ReadResult | null;
  relay?: RelayResult | null;
}

export interface Capabilities {
  write_styles: WriteStyle[];
  read_styles: ReadStyle[];
  exit: boolean;
  abort: boolean;
  produce: boolean;
  relay: boolean;
  text_callback: boolean;
  /** one write call drives several writers (WriteRequest.fanout) */
  fanout: boolean;
  /** conformance::<lang>::recall answers what the calls of a cell produced */
  recall: boolean;
}

export interface Description {
  lang: string;
  sdk: { name: string; version: string } | null;
  worker_version: string;
  capabilities: Capabilities | null;
  contract_version: string;
}
