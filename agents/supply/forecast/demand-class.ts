/**
 * Syntetos–Boylan–Croston (2005) classification of a demand series by how
 * often demand arrives (ADI, average inter-demand interval) and how much the
 * non-zero sizes vary (CV², squared coefficient of variation):
 *
 *                 CV² < 0.49       CV² ≥ 0.49
 *   ADI < 1.32    smooth           erratic
 *   ADI ≥ 1.32    intermittent     lumpy
 *
 * The cut-offs are where SBA starts to beat Croston in mean squared error
 * (Syntetos, Boylan & Croston 2005; Kostenko & Hyndman 2006 give the same
 * regions for SES vs SBA). We follow the common practice:
 * smooth and erratic → exponential smoothing, intermittent and lumpy → SBA.
 * A series without any demand is its own class ('none'), forecast as zero.
 */

export type DemandClass = 'smooth' | 'erratic' | 'intermittent' | 'lumpy' | 'none';

export const ADI_CUTOFF = 1.32;
export const CV2_CUTOFF = 0.49;

export interface DemandClassification {
  class: DemandClass;
  /**
   * Mean interval between demands, the first interval counted from just
   * before the series (as Croston's initialisation does), and the periods
   * since the last demand counted too: (length of the history) / (number
   * of demands). A spike followed by silence is intermittent, not smooth:
   * without the trailing zeros one order at the start of a month read as
   * demand every period. Infinity without demand.
   */
  adi: number;
  /** Population variance / mean² of the non-zero demand sizes (0 with one demand). */
  cv2: number;
  /** Number of periods with demand. */
  demands: number;
  /** Method the class recommends. */
  recommended: 'ses' | 'sba' | 'zero';
}

export function classifyDemand(history: readonly number[]): DemandClassification {
  let demands = 0;
  let last = -1;
  let sum = 0;
  let sumSq = 0;
  for (let t = 0; t < history.length; t++) {
    const y = history[t];
    if (y > 0) {
      demands++;
      last = t;
      sum += y;
      sumSq += y * y;
    }
  }
  if (demands === 0) return { class: 'none', adi: Number.POSITIVE_INFINITY, cv2: 0, demands: 0, recommended: 'zero' };
  // The gap since the last demand is part of the evidence (it is at least that long).
  const adi = Math.max(last + 1, history.length) / demands;
  const mean = sum / demands;
  const variance = Math.max(0, sumSq / demands - mean * mean);
  const cv2 = variance / (mean * mean);
  return classify(adi, cv2, demands);
}

/** The class of given ADI and CV² (exposed to test the boundaries). */
export function classify(adi: number, cv2: number, demands = 1): DemandClassification {
  const frequent = adi < ADI_CUTOFF;
  const steady = cv2 < CV2_CUTOFF;
  const cls: DemandClass = frequent ? (steady ? 'smooth' : 'erratic') : steady ? 'intermittent' : 'lumpy';
  return { class: cls, adi, cv2, demands, recommended: frequent ? 'ses' : 'sba' };
}
