import * as roslib from 'roslib';
import type * as Typed from '../../node_modules/roslib/dist/src/RosLib.js';

/*
 * roslib 2.1 ships its types behind `export * from './src/RosLib'`, an
 * extensionless ESM re-export that NodeNext resolution cannot follow, so
 * `import { Ros } from 'roslib'` has no types. The values come from the
 * package as usual; their types from the declaration file it meant.
 */
const lib = roslib as unknown as typeof Typed;

export const Ros = lib.Ros;
export type Ros = Typed.Ros;
export const Topic = lib.Topic;
export type Topic<T> = Typed.Topic<T>;
export const Action = lib.Action;
export type Action<G, F, R> = Typed.Action<G, F, R>;
