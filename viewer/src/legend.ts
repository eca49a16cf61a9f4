import { COBOT, FAILED, FLOOR, healthColour, MAINTENANCE, MAP, REPAIR, TRUCK } from './colours.js';
import { h } from './dom.js';

/** The floor's colour key, built from the same constants the canvas draws with. */
export function legend(): HTMLElement {
  const sw = (colour: string, shape: 'square' | 'dot' | 'line' | 'bolt', label: string): HTMLElement =>
    h('span', { class: 'key' }, h('i', { class: `sw ${shape}`, style: shape === 'line' ? `border-color:${colour}` : `background:${colour}` }), label);
  return h('div', { class: 'legend' },
    h('div', { class: 'legend-row' },
      h('span', { class: 'legend-title', text: 'Machines' }),
      h('span', { class: 'key' }, h('i', { class: 'sw gradient', style: `background:linear-gradient(90deg, ${healthColour(1)}, ${healthColour(0.5)}, ${healthColour(0)})` }), 'health good → alarm'),
      sw(FAILED, 'square', 'failed'), h('span', { class: 'key' }, h('i', { class: 'sw hollow' }), 'waiting/idle'), sw(REPAIR, 'square', 'repair'), sw(MAINTENANCE, 'square', 'maintenance')),
    h('div', { class: 'legend-row' },
      h('span', { class: 'legend-title', text: 'Cobots' }),
      sw(COBOT.moving, 'dot', 'moving'), sw(COBOT.handling, 'dot', 'handling'), sw(COBOT.charging, 'dot', 'charging'),
      sw(COBOT.fault, 'dot', 'fault'), sw(COBOT.idle, 'dot', 'idle'), sw(FLOOR.pathEnd, 'line', 'planned path'),
      sw(FLOOR.charger, 'bolt', 'charger'), sw(FLOOR.truck, 'square', 'truck')));
}

/** The logistics map's key: places by shape, trucks by the leg they are on. */
export function mapLegend(): HTMLElement {
  const key = (style: string, label: string, cls = 'sw'): HTMLElement => h('span', { class: 'key' }, h('i', { class: cls, style }), label);
  return h('div', { class: 'legend' },
    h('div', { class: 'legend-row' },
      h('span', { class: 'legend-title', text: 'Places' }),
      key(`background:${MAP.plant}`, 'plant'),
      key(`background:${MAP.supplier}`, 'supplier', 'sw dot'),
      key(`background:${MAP.depot}`, 'depot', 'sw diamond'),
      key(`border-color:${MAP.label}`, 'route ahead', 'sw line')),
    h('div', { class: 'legend-row' },
      h('span', { class: 'legend-title', text: 'Trucks' }),
      key(`background:${TRUCK.idle}`, 'idle', 'sw truck'),
      key(`background:${TRUCK.toPickup}`, 'to pickup', 'sw truck'),
      key(`background:${TRUCK.toDropoff}`, 'to customer', 'sw truck'),
      key(`background:${TRUCK.returning}`, 'returning', 'sw truck'),
      key(`background:${TRUCK.broken}`, 'broken down', 'sw truck')));
}
