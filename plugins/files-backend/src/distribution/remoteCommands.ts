import { shellQuote } from '@opsdeck/plugin-remote-node';

/**
 * The commands a distribution runs on hosts (over remote-node's exec). File
 * creation, attributes and the rename go through SFTP (hostFiles.ts); what
 * is left here needs a program on the host: the SHA-256, owner names to ids,
 * free space, and the relay hops.
 */

/** SHA-256 of the temporary file as `sha256sum` prints it (hex first). */
export function checksumCommand(tmpPath: string): string {
  return `sha256sum -- ${shellQuote(tmpPath)}`;
}

/**
 * Numeric ids of `user[:group]` on the host (SFTP sets owners by number):
 * prints `<uid> <gid>`, `-` for the part not asked for.
 */
export function ownerIdsCommand(owner: string): string {
  const [user, group] = owner.split(':');
  const lines = ['u=-; g=-'];
  if (user) {
    lines.push(
      `u=$(id -u -- ${shellQuote(user)}) || { echo ${shellQuote(
        `no user '${user}' on the host`,
      )} >&2; exit 1; }`,
    );
  }
  if (group) {
    lines.push(
      `g=$(getent group -- ${shellQuote(group)} | cut -d: -f3)`,
      `[ -n "$g" ] || { echo ${shellQuote(
        `no group '${group}' on the host`,
      )} >&2; exit 1; }`,
    );
  }
  lines.push('echo "$u $g"');
  return lines.join('\n');
}

/** Free space (KiB) of the filesystem holding `dir`, for the disk-full diagnosis. */
export function freeSpaceCommand(dir: string): string {
  return `df -Pk -- ${shellQuote(dir)} | awk 'NR==2 {print $4}'`;
}

/**
 * Makes the per-transfer TLS identity of one relay hop, on the hop: a
 * private directory (mktemp -d, 0700) with a new P-256 key and a self-signed
 * certificate named `cn`, valid one day. The private key never leaves the
 * host; the command prints the directory and the certificate, which opsdeck
 * hands to the hop's neighbours over its own SSH sessions.
 */
export function relayKeyCommand(cn: string): string {
  return [
    'umask 077',
    'd=$(mktemp -d "${TMPDIR:-/tmp}/opsdeck-relay.XXXXXXXXXX") || exit 1',
    `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj ${shellQuote(
      `/CN=${cn}`,
    )} -keyout "$d/key.pem" -out "$d/cert.pem" 2>"$d/err" || { cat "$d/err" >&2; rm -rf -- "$d"; exit 1; }`,
    'cat "$d/key.pem" "$d/cert.pem" > "$d/self.pem" && rm -f -- "$d/key.pem" "$d/err" || { rm -rf -- "$d"; exit 1; }',
    'printf "%s\\n" "$d"',
    'cat "$d/cert.pem"',
  ].join('\n');
}

/** The directory and certificate relayKeyCommand printed (undefined if it is not that). */
export function parseRelayKey(
  stdout: string,
): { keyDir: string; cert: string } | undefined {
  const [first, ...rest] = stdout.split('\n');
  const keyDir = first.trim();
  const cert = rest.join('\n').trim();
  if (!/^\/[A-Za-z0-9._/-]*\/opsdeck-relay\.[A-Za-z0-9]{10}$/.test(keyDir)) {
    return undefined;
  }
  if (
    !/^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+\n-----END CERTIFICATE-----$/.test(
      cert,
    )
  ) {
    return undefined;
  }
  return { keyDir, cert: `${cert}\n` };
}

/** Removes a hop's key directory (after the relay, whatever happened). */
export function removeKeyDirCommand(keyDir: string): string {
  return `rm -rf -- ${shellQuote(keyDir)}`;
}

/** One host of a relay chain: where it listens, stores, and who it is (TLS). */
export type RelayHop = {
  address: string;
  port: number;
  tmpPath: string;
  /** Its private directory (key, certificates, FIFOs). */
  keyDir: string;
  /** Its certificate (PEM). */
  cert: string;
  /** The common name in its certificate. */
  name: string;
};

/** Attempts of a hop's listener: a connection that fails the TLS handshake (a stranger) makes it listen again. */
const LISTEN_ATTEMPTS = 5;

function socatAddress(address: string): string {
  // socat address options are separated by ',' and ':'; IPv6 needs brackets
  return address.includes(':') ? `[${address}]` : address;
}

/**
 * Sends stdin on to a child hop over TLS: opsdeck's copy of the child's
 * certificate is the only one trusted (`cafile`, `cn`), and this hop shows
 * its own. Retries the connect while the child's listener starts.
 */
function sendTo(child: RelayHop, childCert: string): string {
  return `socat -u STDIN ${shellQuote(
    `OPENSSL:${socatAddress(child.address)}:${child.port},cert=`,
  )}"$d/self.pem"${shellQuote(',cafile=')}"${childCert}"${shellQuote(
    `,verify=1,cn=${child.name},retry=100,interval=0.1`,
  )}`;
}

/**
 * Who hop `k` passes the stream on to: the next hop in a chain (`fanOut` 1),
 * hops 2k+1 and 2k+2 in a binary tree (`fanOut` 2, heap order).
 */
export function relayChildren(k: number, count: number, fanOut: 1 | 2) {
  const first = fanOut * k + 1;
  const children: number[] = [];
  for (let c = first; c < first + fanOut && c < count; c++) children.push(c);
  return children;
}

/** The hop that feeds hop `k` (k > 0). */
export function relayParent(k: number, fanOut: 1 | 2): number {
  return Math.floor((k - 1) / fanOut);
}

/**
 * The command of hop `k` of a relay chain or tree. Every host-to-host hop
 * is TLS with both ends authenticated by the per-transfer certificates
 * (relayKeyCommand): a hop accepts only its parent's certificate and sends
 * only to a peer that shows its child's, so a stranger that connects first
 * is refused (and the hop listens again) and a stranger that listens on the
 * port gets a handshake, never the bytes.
 *
 * The head reads the file from its stdin (opsdeck's stream); the others
 * from their listener. Each keeps a copy in its temporary file (created
 * beforehand by opsdeck over SFTP; written with `dd oflag=nofollow`) and
 * passes the bytes on to its children through FIFOs in its private
 * directory. `tee -p` keeps writing the local copy when a child's pipe
 * breaks, so a failing hop does not take the ones before it down.
 */
export function relayHopCommand(
  hops: RelayHop[],
  k: number,
  fanOut: 1 | 2 = 1,
): string {
  const hop = hops[k];
  const children = relayChildren(k, hops.length, fanOut).map(c => hops[c]);
  const lines = [`d=${shellQuote(hop.keyDir)}`, 'cd "$d" || exit 1'];
  let source = 'cat';
  if (k > 0) {
    const parent = hops[relayParent(k, fanOut)];
    lines.push(`printf '%s' ${shellQuote(parent.cert)} > "$d/from.pem"`);
    const listen = `socat -u ${shellQuote(
      `OPENSSL-LISTEN:${hop.port},bind=${socatAddress(
        hop.address,
      )},reuseaddr,cert=`,
    )}"$d/self.pem"${shellQuote(',cafile=')}"$d/from.pem"${shellQuote(
      ',verify=1',
    )} STDOUT`;
    source = `{ n=1; until ${listen}; do [ $n -lt ${LISTEN_ATTEMPTS} ] || exit 1; n=$((n+1)); done; }`;
  }
  const store = `dd of=${shellQuote(
    hop.tmpPath,
  )} oflag=nofollow conv=notrunc bs=1M status=none`;
  if (children.length === 0) {
    lines.push(`${source} | ${store}`);
    return lines.join('\n');
  }
  const fifos: string[] = [];
  children.forEach((child, i) => {
    const cert = `$d/to${i + 1}.pem`;
    const fifo = `"$d/out${i + 1}"`;
    fifos.push(fifo);
    lines.push(
      `printf '%s' ${shellQuote(child.cert)} > "${cert}"`,
      `mkfifo -m 600 ${fifo} || exit 1`,
      `${sendTo(child, cert)} < ${fifo} & sender${i + 1}=$!`,
    );
  });
  lines.push(
    `${source} | tee -p -- ${fifos.join(' ')} | ${store}`,
    'rc=$?',
    ...children.map((_c, i) => `wait $sender${i + 1}`),
    'exit $rc',
  );
  return lines.join('\n');
}
