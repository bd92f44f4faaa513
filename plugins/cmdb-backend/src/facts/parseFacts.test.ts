import { parseFacts } from './parseFacts';

const FIXTURE = `@@os
Debian GNU/Linux 12 (bookworm)
@@kernel
6.1.0-18-amd64
@@cpucount
8
@@cpumodel
model name	: Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz
@@meminfo
MemTotal:       16318584 kB
@@df
Filesystem     Type     1-blocks        Used   Available Capacity Mounted on
udev           devtmpfs 8144744448           0  8144744448       0% /dev
tmpfs          tmpfs    1632083968     1466368  1630617600       1% /run
/dev/sda1      ext4     105087164416 21474836480 78223015936     22% /
/dev/sdb1      xfs      536870912000 107374182400 429496729600     20% /var/lib/data dir
overlay        overlay  105087164416 21474836480 78223015936     22% /var/lib/docker/overlay2/abc/merged
/dev/sda1      ext4     105087164416 21474836480 78223015936     22% /
@@ip
1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
1: lo    inet6 ::1/128 scope host noprefixroute \\       valid_lft forever preferred_lft forever
2: eth0    inet 203.0.113.11/24 brd 203.0.113.255 scope global eth0\\       valid_lft forever preferred_lft forever
2: eth0    inet6 fe80::5054:ff:fe12:3456/64 scope link \\       valid_lft forever preferred_lft forever
3: eth1    inet6 2001:db8::11/64 scope global \\       valid_lft forever preferred_lft forever
@@uptime
350735.47 1375410.23
@@end
`;

describe('parseFacts', () => {
  it('parses every section of the facts command output', () => {
    expect(parseFacts(FIXTURE)).toEqual({
      os: 'Debian GNU/Linux 12 (bookworm)',
      kernel: '6.1.0-18-amd64',
      cpuCount: 8,
      cpuModel: 'Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz',
      memTotalBytes: 16318584 * 1024,
      disks: [
        { mount: '/', sizeBytes: 105087164416, usedBytes: 21474836480 },
        {
          mount: '/var/lib/data dir',
          sizeBytes: 536870912000,
          usedBytes: 107374182400,
        },
        {
          mount: '/var/lib/docker/overlay2/abc/merged',
          sizeBytes: 105087164416,
          usedBytes: 21474836480,
        },
      ],
      ips: ['203.0.113.11', 'fe80::5054:ff:fe12:3456', '2001:db8::11'],
      uptimeSeconds: 350735,
    });
  });

  it('uses hostname -I when ip is missing and tolerates empty sections', () => {
    const out = [
      '@@os',
      '@@kernel',
      '5.15.0',
      '@@cpucount',
      '@@cpumodel',
      'Hardware\t: BCM2835',
      '@@meminfo',
      '@@df',
      '@@hostname-i',
      '203.0.113.5 2001:db8::5 ',
      '@@uptime',
      '@@end',
      '',
    ].join('\r\n');
    expect(parseFacts(out)).toEqual({
      kernel: '5.15.0',
      cpuModel: 'BCM2835',
      disks: [],
      ips: ['203.0.113.5', '2001:db8::5'],
    });
  });

  it('rejects output that did not run to the end', () => {
    expect(() => parseFacts('@@os\nDebian\n@@kernel\n')).toThrow(
      'Fact collection output is incomplete',
    );
    expect(() => parseFacts('')).toThrow(/incomplete/);
  });
});
