/**
 * The one place that builds Redis key names (the key map of the README). Every key of a topic carries the
 * `{<topic>}` hash tag, so multi-key scripts stay in one Redis Cluster slot.
 */
export class StreamKeys {
  constructor(readonly prefix: string) {
    if (!prefix || /[{}]/.test(prefix)) {
      throw new Error(`Invalid key prefix "${prefix}": it must be non-empty and contain no "{" or "}"`);
    }
  }

  /** The topic's stream. */
  stream(topic: string): string {
    return `${this.prefix}:{${topic}}`;
  }

  /** Delayed messages, score = due time (ms). */
  delayed(topic: string): string {
    return `${this.stream(topic)}:delayed`;
  }

  /** Dead letters of every group of the topic. */
  deadLetter(topic: string): string {
    return `${this.stream(topic)}:dlq`;
  }

  /** Retries of one group, member = entry id, score = due time (ms). */
  retry(topic: string, group: string): string {
    return `${this.stream(topic)}:retry:${group}`;
  }

  /** First failure time and attempts of one group's failing entries. */
  failures(topic: string, group: string): string {
    return `${this.stream(topic)}:failures:${group}`;
  }

  /** Original entries referenced by dead letters (member `<entry id>|<group>`, score = entry ms): never trimmed. */
  deadLetterRefs(topic: string): string {
    return `${this.stream(topic)}:dlq-refs`;
  }

  /** Consumer groups paused on the topic (set of group names). */
  paused(topic: string): string {
    return `${this.stream(topic)}:paused`;
  }

  /** Deduplication marker of one deduplication id (string holding the first message id, with a TTL). */
  dedup(topic: string, deduplicationId: string): string {
    return `${this.stream(topic)}:dedup:${deduplicationId}`;
  }

  /**
   * Due-time index of the prefix's delayed messages: zset, member = topic, score = a lower bound of
   * the earliest due time in that topic's delayed set. Every server of the prefix follows its head.
   * Own hash tag (not a topic: the key does not end with `}`).
   */
  delayedDue(): string {
    return `${this.prefix}:{__control__}:delayed-due`;
  }

  /** Control events of the prefix (pause, resume, replay of one group): stream every server follows. */
  controlEvents(): string {
    return `${this.prefix}:{__control__}:events`;
  }

  /** Servers of the prefix: zset, member = consumer name, score = its last heartbeat (ms). */
  servers(): string {
    return `${this.prefix}:{__control__}:servers`;
  }

  /** The key builder of the prefix a key of it belongs to (the prefix holds no `{`). */
  static ofKey(key: string): StreamKeys {
    const end = key.indexOf(':{');
    if (end <= 0) throw new Error(`"${key}" is not a key of this transport`);
    return new StreamKeys(key.slice(0, end));
  }

  /** A client instance's private reply stream (request/response); its own hash tag. */
  replies(clientId: string): string {
    return `${this.prefix}:{__replies__.${clientId}}`;
  }

  /** Match pattern of every key of this prefix (for SCAN). */
  pattern(): string {
    return `${this.prefix}:{*`;
  }

  /** Topic name from a stream key, or `undefined` if the key is not one of this prefix's streams. */
  topicOf(streamKey: string): string | undefined {
    const head = `${this.prefix}:{`;
    if (!streamKey.startsWith(head) || !streamKey.endsWith('}')) return undefined;
    return streamKey.slice(head.length, -1);
  }
}
