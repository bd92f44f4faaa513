/**
 * Files a config set never reads or writes, whatever the caller: account
 * and authentication data, SSH keys, sudo and PAM rules, kernel and device
 * interfaces. Checked on the set's path when it is saved and, on the host,
 * on the path the target resolves to (so a link planted on the host cannot
 * lead a preview, drift check, adoption or push there).
 */
const EXACT = new Set([
  '/etc/passwd',
  '/etc/passwd-',
  '/etc/shadow',
  '/etc/shadow-',
  '/etc/group',
  '/etc/group-',
  '/etc/gshadow',
  '/etc/gshadow-',
  '/etc/master.passwd',
  '/etc/sudoers',
  '/etc/ld.so.preload',
]);

const UNDER = [
  '/etc/sudoers.d/',
  '/etc/pam.d/',
  '/etc/security/',
  '/proc/',
  '/sys/',
  '/dev/',
  '/boot/',
];

/** Why `path` (absolute, normalized) is protected; undefined when it is not. */
export function protectedPath(path: string): string | undefined {
  if (EXACT.has(path)) return `${path} is a protected file`;
  const under = UNDER.find(dir => path.startsWith(dir));
  if (under) return `${path} is under ${under}, which is protected`;
  if (path.startsWith('/etc/ssh/ssh_host_')) {
    return `${path} is an SSH host key, which is protected`;
  }
  const segments = path.split('/');
  if (segments.includes('.ssh') || segments.includes('.gnupg')) {
    return `${path} holds keys, which are protected`;
  }
  return undefined;
}
