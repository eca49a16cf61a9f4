import { MAP } from './colours.js';
import type { Box } from './label-boxes.js';
import { distanceText, type MapFit, niceLength, toScreen } from './logistics-geometry.js';

/**
 * What the logistics map is drawn on: the background, a grid of round
 * distances and, at the same step, a scale bar, plus a north arrow. Returns
 * the boxes of the scale bar and the arrow, for labels to keep clear of.
 * Text is drawn in the context's current font.
 */
export function drawBackdrop(ctx: CanvasRenderingContext2D, fit: MapFit, w: number, h: number): Box[] {
  ctx.fillStyle = MAP.background;
  ctx.fillRect(0, 0, w, h);
  ctx.lineWidth = 1;

  // Grid and scale bar: the same step, about 60 px.
  const step = niceLength(80 / fit.scale);
  const stepPx = step * fit.scale;
  if (stepPx >= 12) {
    ctx.beginPath();
    const [gx, gy] = toScreen(fit, 0, 0);
    for (let x = gx - Math.ceil(gx / stepPx) * stepPx; x <= w; x += stepPx) {
      ctx.moveTo(Math.round(x) + 0.5, 0);
      ctx.lineTo(Math.round(x) + 0.5, h);
    }
    for (let y = gy - Math.ceil(gy / stepPx) * stepPx; y <= h; y += stepPx) {
      ctx.moveTo(0, Math.round(y) + 0.5);
      ctx.lineTo(w, Math.round(y) + 0.5);
    }
    ctx.strokeStyle = MAP.grid;
    ctx.stroke();
  }
  return [scaleBar(ctx, step, stepPx, h), northArrow(ctx, w)];
}

function scaleBar(ctx: CanvasRenderingContext2D, step: number, stepPx: number, h: number): Box {
  const x = 10;
  const y = h - 10;
  ctx.beginPath();
  ctx.moveTo(x, y - 4);
  ctx.lineTo(x, y);
  ctx.lineTo(x + stepPx, y);
  ctx.lineTo(x + stepPx, y - 4);
  ctx.strokeStyle = MAP.labelDim;
  ctx.stroke();
  const text = distanceText(step);
  ctx.fillStyle = MAP.labelDim;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'bottom';
  ctx.fillText(text, x + stepPx + 5, y + 2);
  return { x0: x, y0: y - 12, x1: x + stepPx + 8 + ctx.measureText(text).width, y1: y + 2 };
}

/** y is up on this map (the floor's is down): say so. */
function northArrow(ctx: CanvasRenderingContext2D, w: number): Box {
  const x = w - 16;
  const y = 12;
  ctx.beginPath();
  ctx.moveTo(x, y);
  ctx.lineTo(x + 5, y + 12);
  ctx.lineTo(x, y + 9);
  ctx.lineTo(x - 5, y + 12);
  ctx.closePath();
  ctx.fillStyle = MAP.labelDim;
  ctx.fill();
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.fillText('N', x, y + 14);
  return { x0: x - 8, y0: y - 2, x1: x + 8, y1: y + 27 };
}
