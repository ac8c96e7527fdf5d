import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminAuditLogEntity } from './admin-audit-log.entity.js';
import { AuditService } from './audit.service.js';

/** The audit log of admin mutations. */
@Module({
  imports: [TypeOrmModule.forFeature([AdminAuditLogEntity])],
  providers: [AuditService],
  exports: [AuditService],
})
export class AuditModule {}
