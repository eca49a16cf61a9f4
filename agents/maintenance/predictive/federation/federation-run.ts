import { specFingerprint } from '../../../../world/degradation/degradation-spec.js';
import { SENSOR_CHANNELS } from '../../../../world/degradation/sensor-model.js';
import type { ConnectPort, FederationPort } from '../../../ports/federation-port.js';
import { encodeRulModel } from '../rul-model.js';
import type { Params, TcnConfig } from '../tcn.js';
import { loadTf } from '../tf-backend.js';
import { trainTcn } from '../train-tcn.js';
import { fitScaling, type Scaling } from '../windows.js';
import { runAggregator, type Rejection } from './aggregator.js';
import type { Federation } from '../../../../scenarios/federation.js';
import { errors, holdout, rmseHours, siteFleet, strideWindows, type SiteFleet } from './fleet-data.js';
import { envelope } from './messages.js';
import { runSite } from './site.js';
import { FederationAbortedError } from './wait.js';

export interface FederationRunOptions {
  /** Opens a participant's connection (MQTT in the CLI). */
  connect: ConnectPort;
  rounds?: number;
  localEpochs?: number;
  /** Overrides the file's cap on local minibatches per epoch. */
  localSteps?: number;
  /** Overrides the file's server momentum (FedAvgM). */
  serverMomentum?: number;
  /** Machines per site (overrides the file's). */
  machines?: number;
  seed?: number;
  /** Also train the baselines: one network on all sites' pooled data (centralised), and each site alone. */
  baselines?: boolean;
  timeoutMs?: number;
  onProgress?: (line: string) => void;
  onReject?: (who: string, r: Rejection) => void;
}

/** RUL RMSE in hours on held-out machines, per site and pooled over all sites' held-out windows. */
export interface Scores {
  pooled: number;
  sites: Record<string, number>;
}

export interface FederationReport {
  federation: string;
  plant: string;
  machineType: string;
  rounds: number;
  localEpochs: number;
  seed: number;
  sites: { id: string; description?: string; machineType: string; load: unknown; variant: boolean; machines: number; trainMachines: number; validationMachines: number; examples: number; meanLifeHours: number }[];
  history: { round: number; validationRmseHours: Scores; bytesPerSite: Record<string, number> }[];
  federated: Scores;
  /** One network on every site's training data pooled, the same number of epochs. */
  centralised?: Scores;
  /** (federated − centralised) / centralised, pooled RMSE, %. */
  gapPercent?: number;
  /** Each site's network trained on its own data alone (its own scaling), scored on every site. */
  localOnly?: Record<string, Scores>;
  /** Mean bytes a site receives and sends per round (global weights in, its update out). */
  bytesPerSiteRound: number;
  /** Every message the aggregator refused. */
  rejected: Rejection[];
  seconds: { federated: number; centralised?: number; localOnly?: number };
}

/**
 * A federated training run as an experiment: builds each site's fleet,
 * starts the aggregator and one trainer per site, each on its own
 * connection, lets FedAvg run over the port (only scaling statistics and
 * weights travel), and scores the global model after every round on the
 * sites' held-out machines. The scoring is the experimenter's view: it reads
 * every site's held-out data, which no participant of the protocol does.
 * With `baselines` it also trains the centralised and local-only networks
 * for comparison, from the same seed and for the same number of epochs.
 */
export async function runFederation(f: Federation, o: FederationRunOptions, version: string): Promise<{ report: FederationReport; model: Uint8Array }> {
  const rounds = o.rounds ?? f.training.rounds;
  const localEpochs = o.localEpochs ?? f.training.localEpochs;
  const seed = o.seed ?? f.seed;
  const timeoutMs = o.timeoutMs ?? f.roundTimeoutMs;
  const stride = f.training.windowStride;
  const progress = o.onProgress ?? (() => {});
  const hoursPerSample = f.sampleInterval / 3600;
  const perSample = (hours: number) => hours / hoursPerSample;
  const config: TcnConfig = { inputs: SENSOR_CHANNELS.length, window: f.model.window, channels: f.model.channels, kernel: 3, dilations: [1, 2, 4, 8], rulCap: perSample(f.model.rulCapHours), horizon: perSample(f.model.horizonHours) };
  const ids = f.sites.map((s) => s.id);

  const tf = await loadTf();
  // The experimenter's scoring: held-out windows under a given scaling, per site.
  const scorer = (scaling: Scaling) => {
    const sets = new Map(ids.map((id) => [id, holdout(fleets.get(id)!.validation, config, scaling, stride)]));
    return (params: Params): Scores => {
      const sums = new Map(ids.map((id) => [id, errors(tf, config, params, sets.get(id)!)]));
      return { pooled: rmseHours([...sums.values()], hoursPerSample), sites: Object.fromEntries(ids.map((id) => [id, rmseHours([sums.get(id)!], hoursPerSample)])) };
    };
  };

  let started = performance.now();
  const history: FederationReport['history'] = [];
  const examples = new Map<string, number>();
  let score: ((p: Params) => Scores) | undefined;
  const ports: FederationPort[] = [];
  const controller = new AbortController();
  let aggregated: Awaited<ReturnType<typeof runAggregator>>;
  const fleets = new Map<string, SiteFleet>();
  try {
    // Connections first: a broker that cannot be reached fails the run before minutes of simulation.
    const aggregatorPort = await o.connect(`${f.name}-aggregator`);
    ports.push(aggregatorPort);
    const sitePorts: FederationPort[] = [];
    for (const id of ids) sitePorts.push(await o.connect(`${f.name}-site-${id}`));
    ports.push(...sitePorts);
    for (const s of f.sites) {
      fleets.set(s.id, siteFleet({ site: s.id, spec: s.spec, machines: o.machines ?? s.machines, load: s.load, seed, holdout: f.training.holdout, sampleInterval: f.sampleInterval }));
      const fl = fleets.get(s.id)!;
      progress(`site ${s.id}: ${fl.train.length} training and ${fl.validation.length} held-out ${s.machineType} machines, mean life ${fl.meanLifeHours.toFixed(0)} h`);
    }
    started = performance.now();
    const stopOthers = (e: unknown) => {
      controller.abort();
      throw e;
    };
    const sites = f.sites.map((s, k) =>
      runSite(sitePorts[k], {
        federation: f.name,
        site: s.id,
        config,
        trajectories: fleets.get(s.id)!.train,
        localEpochs,
        localSteps: o.localSteps ?? f.training.localSteps,
        seed: seed + 1000 * (k + 1),
        batch: f.training.batch,
        learningRate: f.training.learningRate,
        stride,
        timeoutMs,
        signal: controller.signal,
        tf,
        onRound: (r) => examples.set(r.site, r.examples),
        onReject: (r) => o.onReject?.(`site ${s.id}`, r),
      }).catch(stopOthers),
    );
    const aggregator = runAggregator(aggregatorPort, {
      federation: f.name,
      sites: ids,
      config,
      rounds,
      seed,
      serverMomentum: o.serverMomentum ?? f.training.serverMomentum,
      timeoutMs,
      signal: controller.signal,
      onReject: (r) => o.onReject?.('aggregator', r),
      onRound: (r) => {
        score ??= scorer(r.scaling);
        const s = score(r.params);
        const bytesPerSite = Object.fromEntries(r.updates.map((u) => [u.site, r.globalBytes + u.bytes]));
        history.push({ round: r.round, validationRmseHours: s, bytesPerSite });
        const kb = Object.values(bytesPerSite).reduce((a, b) => a + b, 0) / r.updates.length / 1024;
        progress(`round ${r.round}/${r.rounds}: validation RMSE ${s.pooled.toFixed(1)} h (${ids.map((id) => `${id} ${s.sites[id].toFixed(1)}`).join(', ')}); ${kb.toFixed(1)} KB per site`);
      },
    }).catch(stopOthers);
    const settled = await Promise.allSettled([aggregator, ...sites]);
    const failure = settled.find((r) => r.status === 'rejected' && !(r.reason instanceof FederationAbortedError)) ?? settled.find((r) => r.status === 'rejected');
    if (failure) throw (failure as PromiseRejectedResult).reason;
    aggregated = (settled[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof runAggregator>>>).value;
  } finally {
    for (const p of ports) await p.close().catch(() => {});
  }
  const federatedSeconds = (performance.now() - started) / 1000;
  score ??= scorer(aggregated.scaling);
  const federated = score(aggregated.params);

  const report: FederationReport = {
    federation: f.name,
    plant: f.plant.name,
    machineType: f.machineType,
    rounds,
    localEpochs,
    seed,
    sites: f.sites.map((s) => {
      const fl = fleets.get(s.id)!;
      return { id: s.id, description: s.description, machineType: s.machineType, load: s.load, variant: s.variant, machines: fl.train.length + fl.validation.length, trainMachines: fl.train.length, validationMachines: fl.validation.length, examples: examples.get(s.id) ?? 0, meanLifeHours: fl.meanLifeHours };
    }),
    history,
    federated,
    bytesPerSiteRound: history.length > 0 ? history.reduce((a, h) => a + Object.values(h.bytesPerSite).reduce((x, y) => x + y, 0) / ids.length, 0) / history.length : 0,
    rejected: aggregated.rejected,
    seconds: { federated: federatedSeconds },
  };

  if (o.baselines) {
    const epochs = rounds * localEpochs;
    let t = performance.now();
    // The same scaling the sites agreed on (the envelope of their ranges), computed here from the pooled data.
    const scaling = envelope(ids.map((id) => fitScaling(fleets.get(id)!.train)));
    const pooled = strideWindows(
      ids.flatMap((id, k) => fleets.get(id)!.train.map((t) => ({ unit: (k + 1) * 100_000 + t.unit, rows: t.rows }))),
      config,
      scaling,
      stride,
    );
    progress(`centralised: ${epochs} epochs on ${pooled.n} pooled windows …`);
    const central = await trainTcn(tf, config, pooled, { epochs, seed, batch: f.training.batch, learningRate: f.training.learningRate });
    report.centralised = score(central.params);
    report.gapPercent = ((federated.pooled - report.centralised.pooled) / report.centralised.pooled) * 100;
    report.seconds.centralised = (performance.now() - t) / 1000;
    t = performance.now();
    report.localOnly = {};
    for (const [k, id] of ids.entries()) {
      const own = fitScaling(fleets.get(id)!.train);
      progress(`local only: site ${id}, ${epochs} epochs …`);
      const local = await trainTcn(tf, config, strideWindows(fleets.get(id)!.train, config, own, stride), { epochs, seed: seed + 1000 * (k + 1), batch: f.training.batch, learningRate: f.training.learningRate });
      report.localOnly[id] = scorer(own)(local.params);
    }
    report.seconds.localOnly = (performance.now() - t) / 1000;
  }

  const model = encodeRulModel(
    {
      format: 1,
      kind: 'tcn-rul',
      config,
      channels: [...SENSOR_CHANNELS],
      scaling: aggregated.scaling,
      members: 1,
      training: {
        machineType: f.machineType,
        spec: specFingerprint(f.spec),
        sampleInterval: f.sampleInterval,
        federated: { federation: f.name, sites: ids, rounds, localEpochs, seed, machines: report.sites.map((s) => s.machines) },
        validation: { rmseHours: federated.pooled, sites: federated.sites, centralisedRmseHours: report.centralised?.pooled },
      },
    },
    aggregated.params,
    version,
  );
  return { report, model };
}
