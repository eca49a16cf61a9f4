import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { BinaryStream, DataType, DataValue, StatusCodes, Variant, VariantArrayType, type StatusCode } from 'node-opcua';
import { quietOpcua } from '../../test/support/opcua.js';
import { readingOf } from './sample-values.js';

/**
 * A sensor variable's data value as the telemetry client reads it
 * (`readingOf`): whatever a server sends (any type, arrays, NaN, ±∞, any
 * status), the result is a finite number, nothing (no value yet), or a
 * one-line refusal naming the channel. Values go through node-opcua's binary
 * encoding first, so they are what a client really decodes.
 */

quietOpcua();

const NUMERIC = [DataType.Double, DataType.Float, DataType.Int32, DataType.UInt32, DataType.Int16, DataType.UInt16, DataType.SByte, DataType.Byte];
const NO_VALUE_YET = [StatusCodes.BadWaitingForInitialData, StatusCodes.UncertainInitialValue];
const STATUSES: StatusCode[] = [
  StatusCodes.Good,
  StatusCodes.Good,
  StatusCodes.Good,
  StatusCodes.GoodClamped,
  StatusCodes.GoodLocalOverride,
  StatusCodes.Bad,
  StatusCodes.BadNodeIdUnknown,
  StatusCodes.BadSensorFailure,
  StatusCodes.BadOutOfRange,
  StatusCodes.Uncertain,
  StatusCodes.UncertainSensorNotAccurate,
  StatusCodes.UncertainLastUsableValue,
  ...NO_VALUE_YET,
];

const scalar = fc.oneof(
  fc.double(),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 1e300, -1e300, 2 ** 31, -(2 ** 31) - 1, 256, -129, 0.5),
  fc.integer(),
  fc.string({ maxLength: 50 }),
  fc.boolean(),
  fc.constant(null),
);
const variantSpec = fc.record({
  dataType: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...NUMERIC) }, { weight: 1, arbitrary: fc.constantFrom(DataType.Null, DataType.Boolean, DataType.String, DataType.Int64, DataType.UInt64, DataType.DateTime, DataType.ByteString, DataType.LocalizedText) }),
  arrayType: fc.constantFrom(VariantArrayType.Scalar, VariantArrayType.Scalar, VariantArrayType.Scalar, VariantArrayType.Array, VariantArrayType.Matrix),
  value: scalar,
  array: fc.array(fc.oneof(fc.double(), fc.integer()), { maxLength: 60 }),
});

/** A data value as a client decodes it from the wire, or undefined when node-opcua cannot even build it. */
function onTheWire(spec: { dataType: DataType; arrayType: VariantArrayType; value: unknown; array: number[] }, statusCode: StatusCode): DataValue | undefined {
  let variant: Variant;
  try {
    const value = spec.arrayType === VariantArrayType.Scalar ? spec.value : spec.array;
    variant = new Variant({ dataType: spec.dataType, arrayType: spec.arrayType, value, ...(spec.arrayType === VariantArrayType.Matrix ? { dimensions: [1, spec.array.length] } : {}) });
    const sent = new DataValue({ value: variant, statusCode, sourceTimestamp: new Date(0) });
    const stream = new BinaryStream(sent.binaryStoreSize());
    sent.encode(stream);
    stream.rewind();
    const got = new DataValue();
    got.decode(stream);
    return got;
  } catch {
    return undefined;
  }
}

function expectReading(channel: string, dv: DataValue): void {
  const r = readingOf(channel, dv);
  if (r === undefined) return void expect(NO_VALUE_YET.map((s) => s.value)).toContain(dv.statusCode.value);
  if (r.ok) {
    expect(Number.isFinite(r.value)).toBe(true);
    expect(dv.statusCode.isGood()).toBe(true);
    expect(NUMERIC).toContain(dv.value.dataType);
    expect(dv.value.arrayType).toBe(VariantArrayType.Scalar);
    expect(r.value).toBe(dv.value.value);
    return;
  }
  expect(r.reason.startsWith(`${channel} `)).toBe(true);
  expect(r.reason).not.toContain('\n');
  // The preview of what came is cut short: a refusal stays one readable line whatever the value's size.
  expect(r.reason.length).toBeLessThan(channel.length + 200);
}

describe('OPC UA data values as sensor readings', () => {
  test.prop([variantSpec, fc.constantFrom(...STATUSES), fc.constantFrom('temperature', 'vibration', 's2')], { numRuns: 300 })(
    'any value a server sends, after the wire: a finite number, no value yet, or a refusal naming the channel',
    (spec, status, channel) => {
      const dv = onTheWire(spec, status);
      fc.pre(dv !== undefined);
      expectReading(channel, dv!);
    },
  );

  test.prop([fc.constantFrom(...NUMERIC), fc.integer({ min: 0, max: 127 }), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e30, max: 1e30 })])('a good numeric scalar is read as the number the client decoded', (dataType, small, real) => {
    // Every numeric type holds 0…127; the floating ones hold any double of this range (Float rounds it).
    const v = dataType === DataType.Double || dataType === DataType.Float ? real : small;
    const dv = onTheWire({ dataType, arrayType: VariantArrayType.Scalar, value: v, array: [] }, StatusCodes.Good)!;
    const r = readingOf('x', dv);
    expect(r).toEqual({ ok: true, value: dv.value.value });
  });

  test.prop([fc.anything({ withBigInt: true, withTypedArray: true, withMap: true, withSet: true, withDate: true, withNullPrototype: true }), fc.nat({ max: 25 }), fc.constantFrom(...Object.values(VariantArrayType).filter((v) => typeof v === 'number')), fc.constantFrom(...STATUSES)], { numRuns: 300 })(
    'a variant holding anything at all (what a broken server or library might hand over): never a throw',
    (value, dataType, arrayType, statusCode) => {
      // Built around node-opcua's checks: only the fields readingOf reads.
      const dv = { statusCode, value: { dataType, arrayType, value } } as unknown as DataValue;
      expectReading('c', dv);
    },
  );

  it('refuses NaN, ±∞, arrays, non-numeric types and bad statuses, and takes an initial-data status as no value yet', () => {
    const read = (dataType: DataType, value: unknown, statusCode: StatusCode = StatusCodes.Good, arrayType = VariantArrayType.Scalar) => readingOf('t', onTheWire({ dataType, arrayType, value, array: [1, 2] }, statusCode)!);
    expect(read(DataType.Double, NaN)).toEqual({ ok: false, reason: 't must be a finite number, got NaN' });
    expect(read(DataType.Float, 1e300)).toEqual({ ok: false, reason: 't must be a finite number, got Infinity' });
    expect(read(DataType.Double, 1, StatusCodes.Good, VariantArrayType.Array)).toEqual({ ok: false, reason: 't must be a number, got Double array [1,2]' });
    expect(read(DataType.String, 'hot')).toEqual({ ok: false, reason: 't must be a number, got String "hot"' });
    expect(read(DataType.Double, 1, StatusCodes.BadSensorFailure)).toEqual({ ok: false, reason: 't has status BadSensorFailure' });
    expect(read(DataType.Double, 1, StatusCodes.BadWaitingForInitialData)).toBeUndefined();
    expect(read(DataType.Int16, -7)).toEqual({ ok: true, value: -7 });
  });

  it('names what came even when neither JSON nor String can write it (found by the property: a BigInt in an object without a prototype threw a TypeError)', () => {
    const value = Object.assign(Object.create(null) as object, { '': { '': 0n } });
    const dv = { statusCode: StatusCodes.Good, value: { dataType: DataType.Null, arrayType: VariantArrayType.Scalar, value } } as unknown as DataValue;
    expect(readingOf('c', dv)).toEqual({ ok: false, reason: 'c must be a number, got Null [object Object]' });
  });
});
