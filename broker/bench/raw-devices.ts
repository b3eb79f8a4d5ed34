// Load generator: devices as raw MQTT 3.1.1 sockets (mqtt-packet), Nagle off, light enough
// that 1,000–10,000 of them fit in one process next to the broker on a 2-core machine.
import net from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';

export interface Device {
  socket: net.Socket;
  /** PUBACK callbacks by message id */
  acks: Map<number, () => void>;
  nextId: number;
  onPublish?: (packet: Packet & { cmd: 'publish' }) => void;
}

const encode = (packet: Packet): Buffer => mqttPacket.generate(packet, { protocolVersion: 4 });

export function connectDevice(port: number, clientId: string, username: string): Promise<Device> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
    const device: Device = { socket, acks: new Map(), nextId: 1 };
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    let connackSeen = false;
    parser.on('packet', (p: Packet) => {
      if (p.cmd === 'connack') {
        connackSeen = true;
        if (p.returnCode === 0) resolve(device);
        else reject(new Error(`CONNACK ${p.returnCode}`));
      } else if (p.cmd === 'puback') {
        const done = device.acks.get(p.messageId ?? 0);
        device.acks.delete(p.messageId ?? 0);
        done?.();
      } else if (p.cmd === 'publish') {
        device.onPublish?.(p);
        if (p.qos === 1) socket.write(encode({ cmd: 'puback', messageId: p.messageId ?? 0 }));
      }
    });
    // After CONNACK a publishing device only ever receives 4-byte PUBACKs [MQTT-3.4]: read
    // them without the general parser, so the generator, not the broker, is rarely the limit.
    let connected = false;
    let rest: Buffer | null = null;
    socket.on('data', (d: Buffer) => {
      if (!connected || device.onPublish !== undefined) {
        parser.parse(d);
        connected = connackSeen;
        return;
      }
      let buf = rest === null ? d : Buffer.concat([rest, d]);
      let i = 0;
      while (buf.length - i >= 4 && buf[i] === 0x40 && buf[i + 1] === 2) {
        const id = ((buf[i + 2] as number) << 8) | (buf[i + 3] as number);
        const done = device.acks.get(id);
        device.acks.delete(id);
        done?.();
        i += 4;
      }
      if (i < buf.length && buf.length - i >= 4) {
        parser.parse(buf.subarray(i)); // not a PUBACK: let the general parser have it
        buf = Buffer.alloc(0);
        i = 0;
      }
      rest = i < buf.length ? Buffer.from(buf.subarray(i)) : null;
    });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.write(encode({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId, keepalive: 0, username, password: Buffer.from('bench') }));
    });
  });
}

/** PUBLISH bytes by hand [MQTT-3.3]: cheaper than a general encoder at tens of thousands a second. */
function encodePublish(topic: string, payload: Buffer, qos: 0 | 1, messageId: number): Buffer {
  const topicLength = Buffer.byteLength(topic);
  let remaining = 2 + topicLength + (qos === 1 ? 2 : 0) + payload.length;
  const header: number[] = [qos === 1 ? 0x32 : 0x30];
  do {
    let byte = remaining % 128;
    remaining = Math.floor(remaining / 128);
    if (remaining > 0) byte |= 0x80;
    header.push(byte);
  } while (remaining > 0);
  const out = Buffer.allocUnsafe(header.length + 2 + topicLength + (qos === 1 ? 2 : 0) + payload.length);
  let o = 0;
  for (const b of header) out[o++] = b;
  out.writeUInt16BE(topicLength, o);
  o += 2;
  o += out.write(topic, o);
  if (qos === 1) {
    out.writeUInt16BE(messageId, o);
    o += 2;
  }
  payload.copy(out, o);
  return out;
}

export function publish(device: Device, topic: string, payload: Buffer, qos: 0 | 1): Promise<void> | boolean {
  if (qos === 0) return device.socket.write(encodePublish(topic, payload, 0, 0));
  const messageId = device.nextId;
  device.nextId = device.nextId === 65535 ? 1 : device.nextId + 1;
  return new Promise<void>((resolve) => {
    device.acks.set(messageId, resolve);
    device.socket.write(encodePublish(topic, payload, 1, messageId));
  });
}

export function subscribe(device: Device, topic: string, qos: 0 | 1): Promise<void> {
  return new Promise((resolve) => {
    device.socket.once('data', () => resolve()); // SUBACK is the next packet the sink gets
    device.socket.write(encode({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic, qos }] }));
  });
}

/** Opens `count` devices, `parallel` handshakes at a time. */
export async function connectMany(port: number, count: number, prefix: string, parallel = 200): Promise<Device[]> {
  const devices: Device[] = new Array(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const id = `${prefix}-${String(i).padStart(5, '0')}`;
      devices[i] = await connectDevice(port, id, id);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return devices;
}

export function closeAll(devices: readonly Device[]): void {
  for (const d of devices) d.socket.destroy();
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
