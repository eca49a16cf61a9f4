import { createServer } from 'node:net';
import { join } from 'node:path';
import { loadScenario } from '../../scenarios/load.js';
import { projectRoot } from '../../runtime/paths.js';
import type { Scenario } from '../../scenarios/schema.js';
import { Ros } from '../../bridges/ros/roslib.js';

/** scenarios/cobot-floor.yaml with `count` cobots that never break down (tests of the ROS bridges). */
export function smallCobotFloor(count = 4): Scenario {
  const sc = loadScenario(join(projectRoot(), 'scenarios/cobot-floor.yaml'));
  return { ...sc, cobots: { ...sc.cobots!, count, breakdownRate: 0 } };
}

/** A TCP port free on loopback now (listened on, then released). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** A roslib connection to `url`, once open. */
export async function connectRos(url: string): Promise<Ros> {
  const ros = new Ros({});
  const open = new Promise<void>((resolve, reject) => {
    ros.once('connection', () => resolve());
    ros.once('close', () => reject(new Error(`no rosbridge at ${url}`)));
  });
  await ros.connect(url);
  await open;
  return ros;
}
