import { shellQuote } from '@opsdeck/plugin-remote-node';
import { basenameOf, dirnameOf } from '../model/paths';

/**
 * The temporary name a host receives the file under: hidden, in the target's
 * directory (so the final rename stays on one filesystem and is atomic), unique
 * per distribution and host (hosts may share a filesystem).
 */
export function temporaryPathFor(
  targetPath: string,
  distributionId: string,
  position: number,
): string {
  const dir = dirnameOf(targetPath);
  const base = basenameOf(targetPath);
  const tag = `${distributionId.replace(/-/g, '').slice(0, 12)}-${position}`;
  const name = `.${base}.opsdeck-${tag}.part`.slice(-255);
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/** Creates the target's directory (like `mkdir -p`). */
export function mkdirCommand(targetPath: string): string {
  return `mkdir -p -- ${shellQuote(dirnameOf(targetPath))}`;
}

/** Exit code of finishCommand when the checksum differs. */
export const CHECKSUM_MISMATCH_EXIT = 65;

/**
 * Verifies the temporary file's SHA-256, applies the owner, and renames it
 * over the target (`mv -f` within one directory is rename(2): atomic). On any
 * failure the temporary file is removed, so the target is never partial.
 */
export function finishCommand(options: {
  tmpPath: string;
  targetPath: string;
  sha256: string;
  owner?: string;
  /** Applied here when the transfer itself could not set it (relay). */
  mode?: number;
}): string {
  const tmp = shellQuote(options.tmpPath);
  const target = shellQuote(options.targetPath);
  const steps = [
    `actual=$(sha256sum -- ${tmp} | cut -d' ' -f1) || exit 1`,
    `if [ "$actual" != ${shellQuote(
      options.sha256,
    )} ]; then echo "checksum mismatch: got $actual" >&2; exit ${CHECKSUM_MISMATCH_EXIT}; fi`,
  ];
  if (options.mode !== undefined) {
    steps.push(`chmod ${options.mode.toString(8)} -- ${tmp} || exit 1`);
  }
  if (options.owner) {
    steps.push(`chown -- ${shellQuote(options.owner)} ${tmp} || exit 1`);
  }
  steps.push(`mv -f -- ${tmp} ${target} || exit 1`);
  steps.push('echo "$actual"');
  return `( ${steps.join('\n')} ) || { rc=$?; rm -f -- ${tmp}; exit $rc; }`;
}

/** Size in bytes of what an earlier, interrupted attempt left under the temporary name (0: none). */
export function partialSizeCommand(tmpPath: string): string {
  return `stat -c %s -- ${shellQuote(tmpPath)} 2>/dev/null || echo 0`;
}

/**
 * Writes stdin into the temporary file from byte `offset` on, keeping what is
 * before it (resuming an interrupted transfer). An explicit offset rather than
 * O_APPEND: a write of the cut session that lands late writes the same bytes
 * at the same place instead of moving the end.
 */
export function writeFromOffsetCommand(
  tmpPath: string,
  offset: number,
): string {
  return `dd of=${shellQuote(
    tmpPath,
  )} bs=1M iflag=fullblock oflag=seek_bytes seek=${Math.floor(
    offset,
  )} conv=notrunc status=none`;
}

/** Removes the temporary file (after a failed transfer). */
export function cleanupCommand(tmpPath: string): string {
  return `rm -f -- ${shellQuote(tmpPath)}`;
}

/** Free space (KiB) of the filesystem holding `dir`, for the disk-full diagnosis. */
export function freeSpaceCommand(dir: string): string {
  return `df -Pk -- ${shellQuote(dir)} | awk 'NR==2 {print $4}'`;
}

/** Where one host of a relay chain listens and stores. */
export type RelayHop = { address: string; port: number; tmpPath: string };

function socatAddress(address: string): string {
  // socat address options are separated by ',' and ':'; IPv6 needs brackets
  return address.includes(':') ? `[${address}]` : address;
}

/** Sends stdin on to the next hop; retries the connect while its listener starts. */
function sendTo(next: RelayHop): string {
  return `socat -u STDIN ${shellQuote(
    `TCP:${socatAddress(next.address)}:${next.port},retry=100,interval=0.1`,
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
 * The command of hop `k` of a relay chain or tree: the head reads the file
 * from its stdin (opsdeck's stream), the others from a one-shot TCP listener;
 * each keeps a copy under its temporary name and passes the bytes on to its
 * children (one in a chain, up to two in a tree; the second through a FIFO
 * so that plain `sh` will do). `tee -p` keeps writing the local copy when a
 * downstream pipe breaks, so a failing hop does not take the ones before it
 * down.
 */
export function relayHopCommand(
  hops: RelayHop[],
  k: number,
  fanOut: 1 | 2 = 1,
): string {
  const hop = hops[k];
  const [next, second] = relayChildren(k, hops.length, fanOut).map(
    c => hops[c],
  );
  const source =
    k === 0
      ? 'cat'
      : `socat -u ${shellQuote(
          `TCP-LISTEN:${hop.port},bind=${socatAddress(hop.address)},reuseaddr`,
        )} STDOUT`;
  const tmp = shellQuote(hop.tmpPath);
  if (second) {
    const fifo = shellQuote(`${hop.tmpPath}.fifo`);
    return [
      `rm -f -- ${fifo} && mkfifo -m 600 -- ${fifo} || exit 1`,
      `${sendTo(second)} < ${fifo} & sender=$!`,
      `${source} | tee -p -- ${tmp} ${fifo} | ${sendTo(next)}`,
      'rc=$?',
      'wait $sender',
      `rm -f -- ${fifo}`,
      'exit $rc',
    ].join('\n');
  }
  return next
    ? `${source} | tee -p -- ${tmp} | ${sendTo(next)}`
    : `${source} > ${tmp}`;
}
