import mqttPacket, { type Packet } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { connectPacket, encode } from './raw-client.ts';
import { createPacketGuard } from './packet-guard.ts';

const publish = (payloadBytes: number) =>
  encode({ cmd: 'publish', topic: 'a/b', payload: Buffer.alloc(payloadBytes), qos: 0, retain: false, dup: false });

describe('createPacketGuard', () => {
  it('lets a CONNECT and packets under the limit through, split at any byte', () => {
    const stream = Buffer.concat([encode(connectPacket()), publish(100), publish(0), encode({ cmd: 'pingreq' })]);
    for (let cut = 1; cut < stream.length; cut += 7) {
      const guard = createPacketGuard({ maxPacketBytes: 200 });
      expect(guard.scan(stream.subarray(0, cut), 1)).toBeNull();
      expect(guard.scan(stream.subarray(cut), 2)).toBeNull();
      expect(guard.packets).toBe(4);
      expect(guard.partialSince).toBeNull();
    }
  });

  it('refuses a packet from its fixed header, before the body arrives', () => {
    const guard = createPacketGuard({ maxPacketBytes: 1024 });
    expect(guard.scan(encode(connectPacket()), 1)).toBeNull();
    const big = publish(2048);
    // type byte + 2 remaining-length bytes are enough to know
    expect(guard.scan(big.subarray(0, 3), 2)).toBe('too_large');
  });

  it('refuses a huge remaining length on the very first packet', () => {
    const guard = createPacketGuard({ maxPacketBytes: 1024 });
    expect(guard.scan(Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]), 1)).toBe('too_large');
  });

  it('refuses a fifth remaining-length byte [MQTT-2.2.3]', () => {
    const guard = createPacketGuard({ maxPacketBytes: 1 << 30 });
    expect(guard.scan(Buffer.from([0x10, 0x80, 0x80, 0x80, 0x80, 0x01]), 1)).toBe('malformed');
  });

  it('refuses reserved packet types 0 and 15', () => {
    expect(createPacketGuard({ maxPacketBytes: 1024 }).scan(Buffer.from([0x00, 0x00]), 1)).toBe('malformed');
    expect(createPacketGuard({ maxPacketBytes: 1024 }).scan(Buffer.from([0xf0, 0x00]), 1)).toBe('malformed');
  });

  it('refuses anything but CONNECT first [MQTT-3.1.0-1]', () => {
    expect(createPacketGuard({ maxPacketBytes: 1024 }).scan(publish(1), 1)).toBe('connect_first');
    expect(createPacketGuard({ maxPacketBytes: 1024 }).scan(Buffer.from('GET / HTTP/1.1\r\n'), 1)).toBe('connect_first');
  });

  it('accepts MQTT 3.1, 3.1.1 and 5 CONNECTs and refuses other protocol levels [MQTT-3.1.2-2]', () => {
    for (const [version, protocolId] of [[3, 'MQIsdp'], [4, 'MQTT'], [5, 'MQTT']] as const) {
      const packet = { ...connectPacket(), protocolId, protocolVersion: version } as Packet;
      const bytes = mqttPacket.generate(packet, { protocolVersion: version });
      const guard = createPacketGuard({ maxPacketBytes: 1024 });
      // byte by byte, so the level is found across chunk boundaries
      for (const byte of bytes) expect(guard.scan(Buffer.from([byte]), 1)).toBeNull();
      expect(guard.packets).toBe(1);
    }
    const bad = encode(connectPacket());
    bad[8] = 9; // level byte after 0x10, length, 0x00 0x04 "MQTT"
    expect(createPacketGuard({ maxPacketBytes: 1024 }).scan(bad, 1)).toBe('protocol_level');
    const renamed = encode(connectPacket());
    renamed.write('MQTX', 4);
    expect(createPacketGuard({ maxPacketBytes: 1024 }).scan(renamed, 1)).toBe('protocol_level');
  });

  it('remembers since when a packet is incomplete', () => {
    const guard = createPacketGuard({ maxPacketBytes: 1024 });
    const connect = encode(connectPacket());
    expect(guard.scan(connect.subarray(0, 5), 100)).toBeNull();
    expect(guard.partialSince).toBe(100);
    expect(guard.scan(connect.subarray(5, 6), 200)).toBeNull();
    expect(guard.partialSince).toBe(100);
    expect(guard.scan(connect.subarray(6), 300)).toBeNull();
    expect(guard.partialSince).toBeNull();
  });
});
