import { basename } from 'node:path';
import { readCmapss, type Trajectory } from './cmapss.js';
import { cmapssConfig, cmapssModelInfo, splitUnits, truncatedValidation } from './cmapss-training.js';
import { federatedTrain } from './federated.js';
import { rmse } from './metrics.js';
import { encodeRulModel } from './rul-model.js';
import { tcnPredict, type Params } from './tcn.js';
import { loadTf } from './tf-backend.js';
import { trainTcn } from './train-tcn.js';
import { fitScaling, smoothTrajectories, trainingWindows, type Scaling } from './windows.js';

export interface FederatedCmapssOptions {
  /** C-MAPSS training files; their units are pooled, then dealt to the sites. */
  data: string[];
  sites: number;
  rounds: number;
  localEpochs: number;
  seed: number;
  channels?: number;
  smoothing?: number;
  /** Also train one network on all sites' data pooled, the same number of epochs, for the gap. */
  centralised?: boolean;
  onProgress?: (what: string) => void;
}

export interface FederatedCmapssResult {
  model: Uint8Array;
  sites: { name: string; units: number; examples: number; meanLife: number }[];
  federatedRmse: number;
  centralisedRmse?: number;
  history: { round: number; validationRmse?: number }[];
  /** Bytes a site sends and receives per round (the weights, both ways). */
  bytesPerSiteRound: number;
}

/**
 * FedAvg on C-MAPSS with sites that do not see the same engines: after 20 %
 * of the units are held out for validation, the rest are sorted by life and
 * dealt to the sites in contiguous blocks (short-lived engines at one site,
 * long-lived at another: non-identical data, as plants with different duty
 * differ). The sites agree on one scaling from their min and max only.
 */
export async function federatedCmapss(o: FederatedCmapssOptions, version: string): Promise<FederatedCmapssResult> {
  const files = o.data.map((path) => ({ path, trajectories: readCmapss(path) }));
  // Units of several files are numbered apart: file f's unit u becomes f·1000 + u.
  let all: Trajectory[] = files.flatMap(({ trajectories }, f) => trajectories.map((t) => ({ unit: f * 1000 + t.unit, rows: t.rows })));
  if (o.smoothing !== undefined) all = smoothTrajectories(all, o.smoothing);
  const { train, validation } = splitUnits(
    all.map((t) => t.unit),
    0.2,
    o.seed,
  );
  const pool = all.filter((t) => train.has(t.unit)).sort((a, b) => a.rows.length - b.rows.length || a.unit - b.unit);
  const per = Math.ceil(pool.length / o.sites);
  const siteData = Array.from({ length: o.sites }, (_, k) => pool.slice(k * per, (k + 1) * per)).filter((s) => s.length > 0);
  // Each site shares only its per-channel min and max; the common scaling is their envelope.
  const local = siteData.map((s) => fitScaling(s));
  const scaling: Scaling = { min: local[0].min.map((_, c) => Math.min(...local.map((l) => l.min[c]))), max: local[0].max.map((_, c) => Math.max(...local.map((l) => l.max[c]))) };
  const config = cmapssConfig(o.channels);
  const sites = siteData.map((s, k) => ({ name: `site-${k + 1}`, data: trainingWindows(s, config.window, scaling, config.rulCap) }));
  const val = truncatedValidation(all.filter((t) => validation.has(t.unit)), config.window, scaling);
  const tf = await loadTf();
  const score = (p: Params) => rmse(tcnPredict(tf, config, p, val.set.x, val.set.n).rul, val.trueRul);
  let bytes = 0;
  const fed = await federatedTrain(tf, config, sites, {
    rounds: o.rounds,
    localEpochs: o.localEpochs,
    seed: o.seed,
    onRound: (r) => {
      bytes = r.bytesPerSite;
      o.onProgress?.(`round ${r.round}/${r.rounds}: validation RMSE ${r.validationRmse?.toFixed(2)}`);
    },
  }, score);
  let centralisedRmse: number | undefined;
  if (o.centralised) {
    const pooled = trainingWindows(siteData.flat(), config.window, scaling, config.rulCap);
    const central = await trainTcn(tf, config, pooled, { epochs: o.rounds * o.localEpochs, seed: o.seed, onEpoch: (e) => o.onProgress?.(`centralised epoch ${e.epoch}/${e.epochs}`) });
    centralisedRmse = score(central.params);
  }
  const federatedRmse = score(fed.params);
  const info = cmapssModelInfo(config, scaling, o.smoothing, 1, {
    federated: { data: o.data.map((d) => basename(d)), sites: sites.length, rounds: o.rounds, localEpochs: o.localEpochs, seed: o.seed },
    validation: { rmse: federatedRmse, centralisedRmse },
  });
  return {
    model: encodeRulModel(info, fed.params, version),
    sites: sites.map((s, k) => ({ name: s.name, units: siteData[k].length, examples: s.data.n, meanLife: siteData[k].reduce((a, t) => a + t.rows.length, 0) / siteData[k].length })),
    federatedRmse,
    centralisedRmse,
    history: fed.history,
    bytesPerSiteRound: bytes,
  };
}
