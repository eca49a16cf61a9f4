import { DataType, StatusCodes, VariantArrayType, type DataValue } from 'node-opcua';

/** A data value as a sensor reading: the number, nothing (not a sample yet), or why it is refused. */
export type Reading = { ok: true; value: number } | { ok: false; reason: string } | undefined;

const NUMERIC = new Set([DataType.Double, DataType.Float, DataType.Int32, DataType.UInt32, DataType.Int16, DataType.UInt16, DataType.SByte, DataType.Byte]);

/** What a server shows before its first value: not a reading, and not an error either. */
const NO_VALUE_YET = new Set([StatusCodes.BadWaitingForInitialData.value, StatusCodes.UncertainInitialValue.value]);

/**
 * Checks one data value of a sensor variable. A server without a value yet
 * (BadWaitingForInitialData or UncertainInitialValue, what a freshly
 * started server shows) is not
 * an error; any other bad or uncertain status, a type that is not a scalar
 * number, NaN or an infinity is refused, naming what came.
 */
export function readingOf(channel: string, dv: DataValue): Reading {
  const status = dv.statusCode;
  if (NO_VALUE_YET.has(status.value)) return undefined;
  if (!status.isGood()) return { ok: false, reason: `${channel} has status ${status.name}` };
  const v = dv.value;
  if (!NUMERIC.has(v.dataType) || v.arrayType !== VariantArrayType.Scalar || typeof v.value !== 'number') {
    return { ok: false, reason: `${channel} must be a number, got ${DataType[v.dataType]}${v.arrayType !== VariantArrayType.Scalar ? ' array' : ''} ${preview(v.value)}` };
  }
  if (!Number.isFinite(v.value)) return { ok: false, reason: `${channel} must be a finite number, got ${v.value}` };
  return { ok: true, value: v.value };
}

function preview(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(ArrayBuffer.isView(value) ? Array.from(value as unknown as ArrayLike<number>) : value) ?? String(value);
  } catch {
    // A BigInt or a cycle JSON cannot write; String cannot write an object without a prototype either.
    try {
      text = String(value);
    } catch {
      text = Object.prototype.toString.call(value);
    }
  }
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
