/** One consumption of a message by a consumer group (a `consumption_records` row). */
export interface ConsumptionView {
  group: string;
  /** The subscription of the group in the caller's tenant, when it has one. */
  subscriptionId: string | null;
  status: string;
  /** 1 for the first delivery. */
  attempt: number;
  processingTimeMs: number;
  error: string | null;
  consumedAt: Date;
  processedAt: Date | null;
  nextRetryAt: Date | null;
}

/** A message as recorded at publish time (`message_records`), with its consumption history. */
export interface MessageView {
  messageId: string;
  queue: string;
  key: string | null;
  headers: Record<string, string>;
  /** The payload while the queue still retains the entry (records do not keep payloads); null after. */
  payload: unknown;
  payloadSize: number;
  status: string;
  publishedAt: Date;
  scheduledAt: Date | null;
  producerId: string | null;
  consumptions: ConsumptionView[];
}
