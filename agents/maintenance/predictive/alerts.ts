/**
 * Maintenance alerts from predictions, for the people watching the plant:
 * raised when a machine's anomaly score crosses its alarm threshold or its
 * probability of failing within the horizon reaches one half, cleared when
 * it falls clearly back (below 80 % of the level) or the machine is renewed. One message per change, not per
 * prediction, so an operator console can show what is open.
 */
export type AlertKind = 'anomaly' | 'failure-risk';

/** Which alerts of a machine are open. */
export type OpenAlerts = Partial<Record<AlertKind, true>>;

/** P(failure within the horizon) at which a failure-risk alert opens. */
export const RISK_ALERT_LEVEL = 0.5;

/** An open alert clears only below this fraction of its level: a score hovering at the level would flap. */
export const CLEAR_FRACTION = 0.8;

export interface MaintenanceAlert {
  machine: string;
  kind: AlertKind;
  state: 'raised' | 'cleared';
  text: string;
  /** The anomaly score or the failure probability that changed the alert. */
  value?: number;
  threshold?: number;
  /** failure-risk: the component most likely to fail, when the model tells them apart. */
  component?: string;
}

export interface PredictionReading {
  machine: string;
  failureProbability: number;
  horizonHours: number;
  components?: Record<string, number>;
  anomaly?: number;
  anomalyThreshold?: number;
}

/** The alerts a new prediction raises or clears, and what is open afterwards. */
export function alertsFor(open: OpenAlerts, p: PredictionReading): { open: OpenAlerts; alerts: MaintenanceAlert[] } {
  const alerts: MaintenanceAlert[] = [];
  const next: OpenAlerts = { ...open };
  const risky = p.failureProbability >= RISK_ALERT_LEVEL;
  const riskGone = p.failureProbability < CLEAR_FRACTION * RISK_ALERT_LEVEL;
  if (risky && !open['failure-risk']) {
    const likeliest = Object.entries(p.components ?? {}).sort((a, b) => b[1] - a[1])[0];
    const which = likeliest ? ` (${likeliest[0]} ${Math.round(likeliest[1] * 100)} %)` : '';
    alerts.push({
      machine: p.machine,
      kind: 'failure-risk',
      state: 'raised',
      text: `${p.machine}: ${Math.round(p.failureProbability * 100)} % likely to fail within ${p.horizonHours} h${which}`,
      value: p.failureProbability,
      threshold: RISK_ALERT_LEVEL,
      ...(likeliest ? { component: likeliest[0] } : {}),
    });
    next['failure-risk'] = true;
  } else if (riskGone && open['failure-risk']) {
    alerts.push({ machine: p.machine, kind: 'failure-risk', state: 'cleared', text: `${p.machine}: failure risk back below ${CLEAR_FRACTION * RISK_ALERT_LEVEL * 100} %`, value: p.failureProbability });
    delete next['failure-risk'];
  }
  if (p.anomaly !== undefined && p.anomalyThreshold !== undefined) {
    const anomalous = p.anomaly > p.anomalyThreshold;
    const normal = p.anomaly < CLEAR_FRACTION * p.anomalyThreshold;
    if (anomalous && !open.anomaly) {
      alerts.push({
        machine: p.machine,
        kind: 'anomaly',
        state: 'raised',
        text: `${p.machine}: anomalous sensor readings (score ${p.anomaly.toFixed(4)} over ${p.anomalyThreshold.toFixed(4)})`,
        value: p.anomaly,
        threshold: p.anomalyThreshold,
      });
      next.anomaly = true;
    } else if (normal && open.anomaly) {
      alerts.push({ machine: p.machine, kind: 'anomaly', state: 'cleared', text: `${p.machine}: sensor readings normal again`, value: p.anomaly, threshold: p.anomalyThreshold });
      delete next.anomaly;
    }
  }
  return { open: next, alerts };
}

/** A renewed machine (repaired or serviced): every open alert is cleared. */
export function clearedByRenewal(machine: string, open: OpenAlerts): MaintenanceAlert[] {
  return (Object.keys(open) as AlertKind[]).map((kind) => ({ machine, kind, state: 'cleared' as const, text: `${machine}: renewed by maintenance` }));
}
