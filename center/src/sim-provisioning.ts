import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeviceAccounts } from '@cityops/broker';
import type { SimulatedSensor } from '@cityops/simulators';
import type { SensorEntry } from './sensors/sensor-directory.ts';

type Stored = Record<string, { username: string; password: string }>;

/**
 * Gives every simulated sensor a real device account. Secrets are stored
 * hashed in the broker's table; the simulator needs them in clear, so they
 * are kept in `<dataDir>/sim-credentials.json` (mode 0600) — development only.
 */
export async function provisionSimulatedSensors(options: {
  dataDir: string;
  accounts: DeviceAccounts;
  sensors: SensorEntry[];
}): Promise<SimulatedSensor[]> {
  const file = join(options.dataDir, 'sim-credentials.json');
  const stored: Stored = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Stored) : {};
  const out: SimulatedSensor[] = [];
  let changed = false;
  for (const entry of options.sensors) {
    const id = entry.feature.properties.id;
    let credentials = stored[id];
    const principal = options.accounts.get(id);
    if (!principal) {
      credentials = await options.accounts.add({ id, kind: 'sensor', domain: entry.domain });
      changed = true;
    } else if (!credentials || !(await options.accounts.verify(credentials.username, credentials.password))) {
      credentials = await options.accounts.rotate(id);
      changed = true;
    }
    stored[id] = { username: credentials.username, password: credentials.password };
    out.push({ feature: entry.feature, credentials: stored[id] });
  }
  if (changed || !existsSync(file)) {
    writeFileSync(file, `${JSON.stringify(stored, null, 1)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return out;
}
