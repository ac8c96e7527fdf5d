import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { Principal } from '../auth/principal.js';
import { AdminAuditLogEntity } from './admin-audit-log.entity.js';

/** One admin mutation to record. */
export interface AuditEntry {
  action: string;
  resourceType: 'queue' | 'subscription' | 'dead_letters';
  resourceId: string;
  details?: Record<string, unknown>;
}

/**
 * The audit trail of admin mutations: a row in `mq_admin_audit_log` (who, tenant, what, when)
 * and the same as one structured log line, so it also reaches the log pipeline when the database
 * write fails. Called after the mutation succeeded.
 */
@Injectable()
export class AuditService {
  private readonly logger = new Logger('Audit');

  constructor(@InjectRepository(AdminAuditLogEntity) private readonly rows: Repository<AdminAuditLogEntity>) {}

  async record(principal: Principal, entry: AuditEntry): Promise<void> {
    const row = {
      actor: principal.sub,
      tenantId: principal.tenantId,
      action: entry.action,
      resourceType: entry.resourceType,
      resourceId: entry.resourceId,
      details: entry.details ?? null,
    };
    this.logger.log(JSON.stringify({ audit: true, at: new Date().toISOString(), ...row }));
    try {
      await this.rows.save(this.rows.create(row));
    } catch (err) {
      // The mutation is done; losing its row must not turn it into an error for the caller.
      this.logger.error(`Could not write the audit row of ${entry.action} ${entry.resourceId}: ${(err as Error).message}`);
    }
  }
}
