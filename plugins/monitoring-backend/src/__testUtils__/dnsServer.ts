import dgram from 'node:dgram';
import net from 'node:net';

/** The 16 bytes of an IPv6 address (`::`, embedded IPv4 included). */
function ipv6Bytes(address: string): Buffer {
  let text = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1].split('.').map(Number);
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${(
      (c << 8) |
      d
    ).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const groups = (s?: string) => (s ? s.split(':') : []);
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

export interface TestDnsServer {
  /** `127.0.0.1:port`, for `probes.dnsServers`. */
  address: string;
  /** Sets the A and AAAA answers of a name (TTL 0); a name never set is NXDOMAIN. */
  answer(name: string, addresses: string[]): void;
  /** Names asked, in order. */
  queries: string[];
  stop(): Promise<void>;
}

/**
 * A tiny authoritative DNS server on loopback (UDP, A and AAAA only, TTL 0)
 * whose answers a test changes at will, as a rebinding attacker's would.
 */
export async function startDnsServer(): Promise<TestDnsServer> {
  const answers = new Map<string, string[]>();
  const queries: string[] = [];
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    if (msg.length < 12) return;
    // the question: labels, then type and class
    const labels: string[] = [];
    let i = 12;
    while (i < msg.length && msg[i] !== 0) {
      labels.push(msg.subarray(i + 1, i + 1 + msg[i]).toString('ascii'));
      i += msg[i] + 1;
    }
    const questionEnd = i + 5;
    if (questionEnd > msg.length) return;
    const qtype = msg.readUInt16BE(i + 1);
    const name = labels.join('.').toLowerCase();
    queries.push(name);
    const known = answers.get(name);
    const records = (known ?? []).filter(a =>
      qtype === 1 ? net.isIPv4(a) : qtype === 28 && net.isIPv6(a),
    );
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2);
    // response, authoritative, recursion desired+available; NXDOMAIN when unknown
    header.writeUInt16BE(0x8580 | (known ? 0 : 3), 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(records.length, 6);
    const rrs = records.map(a => {
      const data = net.isIPv4(a)
        ? Buffer.from(a.split('.').map(Number))
        : ipv6Bytes(a);
      const rr = Buffer.alloc(12);
      rr.writeUInt16BE(0xc00c, 0); // the question's name
      rr.writeUInt16BE(qtype, 2);
      rr.writeUInt16BE(1, 4); // IN
      rr.writeUInt32BE(0, 6); // TTL 0
      rr.writeUInt16BE(data.length, 10);
      return Buffer.concat([rr, data]);
    });
    socket.send(
      Buffer.concat([header, msg.subarray(12, questionEnd), ...rrs]),
      rinfo.port,
      rinfo.address,
    );
  });
  await new Promise<void>(r => socket.bind(0, '127.0.0.1', () => r()));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    answer: (name, addresses) =>
      answers.set(name.toLowerCase().replace(/\.$/, ''), addresses),
    queries,
    stop: () => new Promise(r => socket.close(() => r())),
  };
}
