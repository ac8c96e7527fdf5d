/** One consumer group of a topic. */
export interface TopicGroupInfo {
  name: string;
  /** Consumers registered in the group. */
  consumers: number;
  /** Entries delivered and not yet acked (including those waiting for a retry). */
  pending: number;
  /** Entries not yet delivered to the group (`null` when Redis cannot tell, e.g. after XDEL). */
  lag: number | null;
  /** Last entry id delivered to the group. */
  lastDeliveredId: string;
  /** True while paused with `pauseGroup`. */
  paused: boolean;
}

/** State of one topic. */
export interface TopicInfo {
  topic: string;
  /** Entries in the stream (the backlog plus acked entries not yet trimmed). */
  length: number;
  groups: TopicGroupInfo[];
  /** Messages waiting in the delayed set. */
  delayed: number;
  /** Entries in the dead-letter stream. */
  deadLetters: number;
}

/** One dead letter. */
export interface DeadLetter {
  /** Id of the dead-letter entry (pass it to `replayDeadLetters({ ids })`). */
  entryId: string;
  /** The message id given at `emit` (`undefined` for an entry that could not be decoded). */
  messageId: string | undefined;
  topic: string;
  /** The group that failed it. */
  group: string;
  /** Error name, message and a few stack lines. */
  error: string;
  attempts: number;
  firstFailedAt: Date;
  lastFailedAt: Date;
  /**
   * The payload (parsed JSON), or the raw text if it was not JSON. An encoded payload (codec,
   * compression, encryption) is decoded with the admin's `payload` options; when that fails, `data`
   * is the stored base64 text and `payloadError` says why.
   */
  data: unknown;
  /** Why an encoded payload could not be decoded (e.g. no key for its key id). */
  payloadError?: string;
  headers: Record<string, string>;
  /** Stream entry id of the original message. */
  originalEntryId: string;
  /** For an entry that could not be decoded: its raw field list (JSON). */
  raw?: string;
}

/** Options of `listDeadLetters`. */
export interface ListDeadLettersOptions {
  /** At most this many. @defaultValue 50 */
  count?: number;
  /** Start at this dead-letter entry id (inclusive); `(<id>` for exclusive. @defaultValue '-' */
  start?: string;
}

/** Options of `replayDeadLetters`. */
export interface ReplayDeadLettersOptions {
  /** Dead-letter entry ids to replay. @defaultValue all */
  ids?: string[];
  /** Only dead letters of this group. @defaultValue every group */
  group?: string;
}
