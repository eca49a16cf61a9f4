import { RosTypes } from './messages.js';

/** What a topic of the rosbridge endpoint carries for its cobot. */
export type TopicKind = 'odom' | 'battery_state' | 'cmd_vel';

export interface TopicEntry {
  cobot: string;
  kind: TopicKind;
  type: string;
}

const TYPE: Record<TopicKind, string> = { odom: RosTypes.odometry, battery_state: RosTypes.batteryState, cmd_vel: RosTypes.twist };

/** The topics and actions of a fleet, in nav2's per-robot namespaces: `/<cobot>/odom`, `/<cobot>/navigate_to_pose`, … */
export class CobotGraph {
  readonly topics = new Map<string, TopicEntry>();
  readonly actions = new Map<string, string>();

  constructor(readonly cobots: readonly string[]) {
    for (const cobot of cobots) {
      for (const kind of ['odom', 'battery_state', 'cmd_vel'] as const) this.topics.set(`/${cobot}/${kind}`, { cobot, kind, type: TYPE[kind] });
      this.actions.set(`/${cobot}/navigate_to_pose`, cobot);
    }
  }

  /** A topic or action name as clients may write it (`cobot-1/odom` is `/cobot-1/odom`, as ROS 2 resolves it from the root namespace). */
  static absolute(name: string): string {
    return name.startsWith('/') ? name : `/${name}`;
  }
}

/** The rosapi services answered (rosbridge_suite's rosapi node), each `(args) → values`. */
const SERVICES: Record<string, (graph: CobotGraph, args: Record<string, unknown>) => unknown> = {
  '/rosapi/topics': (g) => ({ topics: [...g.topics.keys()], types: [...g.topics.values()].map((t) => t.type) }),
  '/rosapi/topic_type': (g, a) => ({ type: (typeof a.topic === 'string' && g.topics.get(CobotGraph.absolute(a.topic))?.type) || '' }),
  '/rosapi/topics_for_type': (g, a) => ({ topics: [...g.topics].filter(([, t]) => t.type === a.type).map(([name]) => name) }),
  '/rosapi/action_servers': (g) => ({ action_servers: [...g.actions.keys()] }),
  '/rosapi/services': () => ({ services: Object.keys(SERVICES) }),
};

/** Answers a rosapi call: the response's values, or undefined for a service this endpoint does not have. */
export function callRosapi(graph: CobotGraph, service: string, args: unknown): { values: unknown } | undefined {
  const key = CobotGraph.absolute(service);
  if (!Object.hasOwn(SERVICES, key)) return undefined;
  const fn = SERVICES[key];
  const a = args && typeof args === 'object' && !Array.isArray(args) ? (args as Record<string, unknown>) : {};
  return { values: fn(graph, a) };
}
