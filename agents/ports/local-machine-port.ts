/**
 * Machines next to an agent host, reached without the plant: their readings
 * come in and a stop goes out on the site's own network (OPC UA to the
 * machine's controller, `bridges/opcua/local-machines.ts`). An agent host uses
 * it for its local fail-safes only (docs/live-runs.md, "Local fail-safes"):
 * while the host is linked to the plant, the plant decides.
 */
export interface LocalMachinePort {
  /** Called with each reading of a guarded machine (its sensor channels), as it arrives. */
  onSample(listener: (machine: string, signals: Readonly<Record<string, number>>) => void): void;
  /** Stops the machine through its local control; resolves once the machine took the command, rejects with why not. */
  stop(machine: string): Promise<void>;
  close(): Promise<void>;
}
