/**
 * Automation (the daemon's lease, ticks, requests, evaluations) on
 * PostgreSQL. Placeholder: every method throws STRATA_UNSUPPORTED until the
 * automation tables (migration 003) exist.
 */
import type { AutomationStorage } from '../automation-types.js'
import type { PgDb } from './db.js'
import { notYetOnPostgres } from './unsupported.js'

export class PgAutomationStore implements AutomationStorage {
  constructor(
    private readonly db: PgDb,
    private readonly description: string,
  ) {}

  private unsupported(): never {
    void this.db
    throw notYetOnPostgres('Automation (strata daemon)', this.description)
  }

  acquireDaemonLease: AutomationStorage['acquireDaemonLease'] = async () => this.unsupported()
  renewDaemonLease: AutomationStorage['renewDaemonLease'] = async () => this.unsupported()
  releaseDaemonLease: AutomationStorage['releaseDaemonLease'] = async () => this.unsupported()
  getDaemonLease: AutomationStorage['getDaemonLease'] = async () => this.unsupported()
  commitAutomationTick: AutomationStorage['commitAutomationTick'] = async () => this.unsupported()
  pruneAutomationTicks: AutomationStorage['pruneAutomationTicks'] = async () => this.unsupported()
  getAutomationCursors: AutomationStorage['getAutomationCursors'] = async () => this.unsupported()
  getConditionStates: AutomationStorage['getConditionStates'] = async () => this.unsupported()
  listAutomationRequests: AutomationStorage['listAutomationRequests'] = async () => this.unsupported()
  getAutomationRequest: AutomationStorage['getAutomationRequest'] = async () => this.unsupported()
  lastRequestTimes: AutomationStorage['lastRequestTimes'] = async () => this.unsupported()
  setAutomationRequestStatus: AutomationStorage['setAutomationRequestStatus'] = async () => this.unsupported()
  listAutomationTicks: AutomationStorage['listAutomationTicks'] = async () => this.unsupported()
  listAutomationEvaluations: AutomationStorage['listAutomationEvaluations'] = async () => this.unsupported()
  listInProgressSlots: AutomationStorage['listInProgressSlots'] = async () => this.unsupported()
  automationChanges: AutomationStorage['automationChanges'] = async () => this.unsupported()
  getSlotStates: AutomationStorage['getSlotStates'] = async () => this.unsupported()
  getDynamicPartitionsAt: AutomationStorage['getDynamicPartitionsAt'] = async () => this.unsupported()
}
