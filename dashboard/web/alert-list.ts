import { severityRank, type Alert } from '@cityops/contracts';

/** Open alerts keyed by id: upserts from Socket.IO, resolved ones leave. */
export class OpenAlerts {
  private readonly alerts = new Map<string, Alert>();

  replace(alerts: readonly Alert[]): void {
    this.alerts.clear();
    for (const alert of alerts) this.upsert(alert);
  }

  /** Ignores updates older than what is held, so a late event cannot undo an acknowledgement. */
  upsert(alert: Alert): void {
    const held = this.alerts.get(alert.id);
    if (held && Date.parse(held.updatedAt) > Date.parse(alert.updatedAt)) return;
    if (alert.state === 'resolved') this.alerts.delete(alert.id);
    else this.alerts.set(alert.id, alert);
  }

  get(id: string): Alert | undefined {
    return this.alerts.get(id);
  }

  /** Most severe first, then most recently raised. */
  ordered(): Alert[] {
    return [...this.alerts.values()].sort(
      (a, b) => severityRank(b.severity) - severityRank(a.severity) || Date.parse(b.raisedAt) - Date.parse(a.raisedAt) || a.id.localeCompare(b.id),
    );
  }
}
