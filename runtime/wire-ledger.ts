import { Priority, type Kernel } from '../sim/clock/kernel.js';
import type { Agent } from '../agents/host/agent-host.js';
import type { LedgerPort, LedgerReceipt, TwinEvent } from '../agents/ports/ledger-port.js';
import { ledgerAgent, type LedgerAgentEvent, type LedgerAppendEffect } from '../agents/ledger/ledger-agent.js';
import { isTwinEventType, twinEventOf } from '../agents/ledger/twin-events.js';
import { HashChainLedger } from '../bridges/ledger-file/hash-chain-ledger.js';
import { Address, type RunContext } from './context.js';

/** An answer of the port, as the ledger agent observes it. */
export type LedgerObservation = Extract<LedgerAgentEvent, { type: 'ledger.receipt' | 'ledger.appendFailed' }>;

/**
 * Wires the ledger: the ledger agent, the port it writes to (the hash-chained
 * file at `ctx.ledgerPath`, in memory without one), and a bus observer that
 * hands it every twin event (`agents/ledger/twin-events.ts`) as it is
 * delivered. Another port (an EVM chain, `ctx.ledgerPort`) can be passed in;
 * the agent is the same.
 */
export function wireLedger(ctx: RunContext, port: LedgerPort = ctx.ledgerPort ?? new HashChainLedger({ path: ctx.ledgerPath })): Agent {
  const { host, bus, kernel } = ctx;
  const agent = host.spawn({
    id: Address.ledger,
    kind: 'ledger',
    machine: ledgerAgent,
    input: { id: Address.ledger },
    onEffect: (effect, self) => {
      if (effect.type !== 'ledger.append') throw new Error(`ledger agent emitted ${effect.type}, which its wiring does not know`);
      appendVia(port, (effect as unknown as LedgerAppendEffect).event, (obs) => self.observe(obs), laterVia(kernel, self));
    },
  });
  bus.observe((env) => {
    if (isTwinEventType(env.type)) agent.observe({ type: 'twin.event', event: twinEventOf(env), from: env.from });
  });
  ctx.kpis.push(() => ({ ledgerEvents: recordedBy(agent) }));
  return agent;
}

/**
 * Carries out one `ledger.append` on a port and reports the outcome to the
 * agent. A synchronous answer (a receipt, or a throw) goes to `now`: the
 * agent sees it straight after its own step, within the same kernel event, so
 * DES runs stay deterministic. A promise's answer goes to `later` when it
 * settles, on the JavaScript event loop: that depends on the world outside
 * (a chain's block time, the network), so asynchronous ports break the
 * determinism of DES runs and are meant for live (real-time) runs.
 */
export function appendVia(
  port: LedgerPort,
  event: TwinEvent,
  now: (obs: LedgerObservation) => void,
  later: (obs: LedgerObservation) => void,
): void {
  let result: LedgerReceipt | Promise<LedgerReceipt>;
  try {
    result = port.append(event);
  } catch (e) {
    now(failure(event, e));
    return;
  }
  if (isPromiseLike(result)) {
    result.then(
      (receipt) => later({ type: 'ledger.receipt', receipt }),
      (e: unknown) => later(failure(event, e)),
    );
  } else {
    now({ type: 'ledger.receipt', receipt: result });
  }
}

/**
 * Late answers enter the run as kernel events at the current simulated time,
 * like any other input from outside (the real-time runner picks them up on
 * its next tick); an answer arriving after the agent stopped is dropped.
 */
function laterVia(kernel: Kernel, agent: Agent): (obs: LedgerObservation) => void {
  return (obs) =>
    kernel.at(
      kernel.now,
      () => {
        if (agent.actor.getSnapshot().status === 'active') agent.observe(obs);
      },
      undefined,
      Priority.world,
    );
}

function failure(event: TwinEvent, e: unknown): LedgerObservation {
  return { type: 'ledger.appendFailed', event: event.id, reason: e instanceof Error ? e.message : String(e) };
}

function isPromiseLike<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** Twin events the port has confirmed in this run (the `ledgerEvents` KPI). */
function recordedBy(agent: Agent): number {
  const snapshot = agent.actor.getSnapshot() as { context?: { stats?: { recorded: number } } };
  return snapshot.context?.stats?.recorded ?? 0;
}
