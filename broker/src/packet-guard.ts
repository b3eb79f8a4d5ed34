/**
 * Byte-level gate in front of Aedes' MQTT parser, one per connection.
 *
 * mqtt-packet (the parser Aedes uses) has no packet size limit: it buffers
 * whatever remaining length the fixed header announces, up to 256 MiB
 * [MQTT-2.2.3], before it hands anything over. So the guard reads the fixed
 * headers itself as bytes arrive and refuses a packet as soon as its header
 * announces too many bytes — nothing of the body has been buffered by then.
 * It also refuses anything before CONNECT [MQTT-3.1.0-1], reserved packet
 * types (0 and 15) and a fifth remaining-length byte [MQTT-2.2.3], and
 * remembers since when a packet has been incomplete so a sweep can drop
 * slow-loris connections that drip a packet byte by byte.
 */

export type GuardViolation = 'too_large' | 'malformed' | 'connect_first' | 'slow_packet' | 'protocol_level';

export interface PacketGuardLimits {
  /** largest whole MQTT packet (fixed header included), bytes */
  maxPacketBytes: number;
}

export interface PacketGuard {
  /** Inspects the next chunk of the stream; a violation means the connection must be closed. */
  scan(chunk: Buffer, now: number): GuardViolation | null;
  /** epoch ms since which a packet has been incomplete, or null on a packet boundary */
  readonly partialSince: number | null;
  /** whole packets seen so far */
  readonly packets: number;
}

const CONNECT = 1;
const RESERVED_LOW = 0;
const RESERVED_HIGH = 15;
const MAX_LENGTH_BYTES = 4;
/** "MQTT" levels 4 (3.1.1) and 5, "MQIsdp" level 3 (3.1): what mqtt-packet and Aedes speak. */
const PROTOCOLS: Record<string, readonly number[]> = { MQTT: [4, 5], MQIsdp: [3] };

/**
 * The protocol name and level at the start of a CONNECT's variable header, once enough bytes
 * are there: true = acceptable, false = not, null = need more bytes.
 */
function protocolAcceptable(head: readonly number[]): boolean | null {
  if (head.length < 2) return null;
  const nameLength = ((head[0] as number) << 8) | (head[1] as number);
  if (nameLength !== 4 && nameLength !== 6) return false;
  if (head.length < 2 + nameLength + 1) return null;
  const name = String.fromCharCode(...head.slice(2, 2 + nameLength));
  return PROTOCOLS[name]?.includes(head[2 + nameLength] as number) ?? false;
}

export function createPacketGuard(limits: PacketGuardLimits): PacketGuard {
  let phase: 'type' | 'length' | 'body' = 'type';
  let lengthBytes = 0;
  let multiplier = 1;
  let remaining = 0;
  let packets = 0;
  let partialSince: number | null = null;
  /** the first bytes of the CONNECT body, until its protocol level is known */
  let connectHead: number[] | null = [];

  const endPacket = (): void => {
    packets++;
    phase = 'type';
  };

  return {
    get partialSince() {
      return partialSince;
    },
    get packets() {
      return packets;
    },
    scan(chunk, now) {
      let pos = 0;
      while (pos < chunk.length) {
        if (phase === 'type') {
          const type = (chunk[pos] as number) >> 4;
          if (type === RESERVED_LOW || type === RESERVED_HIGH) return 'malformed';
          if (packets === 0 && type !== CONNECT) return 'connect_first';
          phase = 'length';
          lengthBytes = 0;
          multiplier = 1;
          remaining = 0;
          pos++;
        } else if (phase === 'length') {
          const byte = chunk[pos] as number;
          pos++;
          lengthBytes++;
          remaining += (byte & 0x7f) * multiplier;
          multiplier *= 128;
          if ((byte & 0x80) !== 0) {
            if (lengthBytes >= MAX_LENGTH_BYTES) return 'malformed';
            continue;
          }
          // Whole packet = type byte + length bytes + body.
          if (1 + lengthBytes + remaining > limits.maxPacketBytes) return 'too_large';
          if (remaining === 0) endPacket();
          else phase = 'body';
        } else {
          if (connectHead !== null && packets === 0) {
            // [MQTT-3.1.2-2]: an unsupported protocol level gets CONNACK 1, then the connection closes.
            while (connectHead.length < 9 && pos < chunk.length && remaining > 0) {
              connectHead.push(chunk[pos] as number);
              pos++;
              remaining--;
            }
            const ok = protocolAcceptable(connectHead);
            if (ok === false) return 'protocol_level';
            if (ok === true || remaining === 0) connectHead = null;
            if (remaining === 0) {
              if (connectHead !== null) return 'malformed';
              endPacket();
            }
            continue;
          }
          const take = Math.min(remaining, chunk.length - pos);
          remaining -= take;
          pos += take;
          if (remaining === 0) endPacket();
        }
      }
      if (phase === 'type') partialSince = null;
      else partialSince ??= now;
      return null;
    },
  };
}
