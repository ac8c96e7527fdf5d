import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

/** A settled payment booked from `payment.succeeded`, table `platform_payments`. */
@Entity('platform_payments')
@Unique('uq_platform_payments_tenant_payment', ['tenantId', 'paymentId'])
export class PaymentEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_platform_payments' })
  id: string;

  @Column({ name: 'message_id', type: 'varchar', length: 64 })
  messageId: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 64 })
  tenantId: string;

  /** The payment provider's id: booked once per tenant, whatever the number of messages. */
  @Column({ name: 'payment_id', type: 'varchar', length: 255 })
  paymentId: string;

  @Column({ name: 'user_id', type: 'varchar', length: 255, nullable: true })
  userId: string | null;

  /** Amount in the currency's minor unit (cents); read as a string (bigint). */
  @Column({ name: 'amount_minor', type: 'bigint' })
  amountMinor: string;

  /** ISO 4217 code. */
  @Column({ type: 'char', length: 3 })
  currency: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
