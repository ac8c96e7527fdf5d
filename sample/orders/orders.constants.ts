/** Injection token of the sample's publishing client. */
export const MQ_CLIENT = 'MQ_CLIENT';
/** Topic the sample publishes and consumes. */
export const ORDER_CREATED = 'order.created';
