/** The maintenance policies a run can use. */
export const MaintenancePolicies = ['run-to-failure', 'time-based', 'condition-based', 'predictive'] as const;
export type MaintenancePolicy = (typeof MaintenancePolicies)[number];

export function isMaintenancePolicy(name: string): name is MaintenancePolicy {
  return (MaintenancePolicies as readonly string[]).includes(name);
}
