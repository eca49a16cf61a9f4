import { join } from 'node:path';
import { loadScenario } from '../../scenarios/load.js';
import { projectRoot } from '../../runtime/paths.js';
import type { Scenario } from '../../scenarios/schema.js';
import { Ros } from '../../bridges/ros/roslib.js';
export { freePort } from './free-port.js';

/** scenarios/cobot-floor.yaml with `count` cobots that never break down (tests of the ROS bridges). */
export function smallCobotFloor(count = 4): Scenario {
  const sc = loadScenario(join(projectRoot(), 'scenarios/cobot-floor.yaml'));
  return { ...sc, cobots: { ...sc.cobots!, count, breakdownRate: 0 } };
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
