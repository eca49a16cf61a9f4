import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { floorPose, quaternionOfYaw, rosPose, sameRosType, seconds, time, yawOf } from './messages.js';

/** The ROS message helpers the bridge reads client values with: finite in, finite out; encode → decode round trips. */

const finite = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -0, 1e-300, 1e200, -1e200, 1.7e308, -1.7e308));

describe('ROS message helpers', () => {
  test.prop([fc.record({ x: finite, y: finite, z: finite, w: finite })], { numRuns: 300 })('the yaw of any finite quaternion, normalised or not, is a finite angle in [-π, π]', (q) => {
    const yaw = yawOf(q);
    expect(Number.isFinite(yaw)).toBe(true);
    expect(Math.abs(yaw)).toBeLessThanOrEqual(Math.PI);
  });

  test.prop([fc.double({ min: -Math.PI + 1e-9, max: Math.PI - 1e-9, noNaN: true }), fc.double({ min: 1e-100, max: 1e200, noNaN: true })])(
    'yaw → quaternion → yaw is the identity, also when the quaternion is scaled (clients send unnormalised ones)',
    (yaw, scale) => {
      const q = quaternionOfYaw(yaw);
      expect(yawOf(q)).toBeCloseTo(yaw, 9);
      expect(yawOf({ x: q.x * scale, y: q.y * scale, z: q.z * scale, w: q.w * scale })).toBeCloseTo(yaw, 9);
    },
  );

  test.prop([fc.record({ x: fc.double({ min: -1e6, max: 1e6, noNaN: true }), y: fc.double({ min: -1e6, max: 1e6, noNaN: true }), theta: fc.double({ min: -3, max: 3, noNaN: true }) })])(
    'floor pose → ROS pose → floor pose round trips',
    (p) => {
      const back = floorPose(rosPose(p));
      expect(back.x).toBe(p.x);
      expect(back.y).toBe(p.y);
      expect(back.theta).toBeCloseTo(p.theta, 9);
    },
  );

  test.prop([fc.double({ min: 0, max: 1e9, noNaN: true })])('simulated seconds → ROS time → seconds round trips within a nanosecond, nanosec in range', (s) => {
    const t = time(s);
    expect(Number.isInteger(t.sec) && Number.isInteger(t.nanosec)).toBe(true);
    expect(t.nanosec).toBeGreaterThanOrEqual(0);
    expect(t.nanosec).toBeLessThanOrEqual(999_999_999);
    expect(Math.abs(seconds(t) - s)).toBeLessThanOrEqual(1e-9 + Math.abs(s) * Number.EPSILON);
  });

  test.prop([fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 })])('sameRosType is symmetric and reflexive', (a, b) => {
    expect(sameRosType(a, a)).toBe(true);
    expect(sameRosType(a, b)).toBe(sameRosType(b, a));
  });

  it('a huge unnormalised quaternion has a finite yaw (found by the property: w·z and x·y overflowed to +∞ and −∞, and the heading was NaN)', () => {
    expect(yawOf({ x: 2.6433403899939003e253, y: -6.800838596751681e54, z: 1.797693134862316e108, w: 1e200 })).toBeCloseTo(0, 9);
    expect(yawOf({ x: 1e200, y: -1e200, z: 1e200, w: 1e200 })).toBeCloseTo(0, 9);
    expect(yawOf({ x: 0, y: 0, z: 1e300, w: 1e300 })).toBeCloseTo(Math.PI / 2, 9);
    expect(yawOf({ x: 0, y: 0, z: 0, w: 0 })).toBe(0);
  });
});
