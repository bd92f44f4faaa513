import { parseExecRecords } from './auditRecords';

describe('parseExecRecords', () => {
  it('reads execve events: quoted, hex and split arguments; skips failed ones', () => {
    const text = [
      'type=SYSCALL msg=audit(1796212303.205:44): arch=c000003e syscall=59 success=yes exit=0 ppid=13576 pid=13578 auid=1001 uid=1001 ses=4 comm="id" exe="/usr/bin/id" key="opsdeck-s1"',
      'type=EXECVE msg=audit(1796212303.205:44): argc=2 a0="id" a1="-u"',
      'type=CWD msg=audit(1796212303.205:44): cwd="/home/opsdeck"',
      'type=SYSCALL msg=audit(1796212303.301:45): arch=c000003e syscall=59 success=yes exit=0 ppid=13572 pid=13579 uid=1001 exe="/usr/bin/python3.11" key="opsdeck-s1"',
      // "import os" has a space: auditd writes it in hex
      'type=EXECVE msg=audit(1796212303.301:45): argc=3 a0="python3" a1="-c" a2=696D706F7274206F73',
      'type=SYSCALL msg=audit(1796212303.400:46): arch=c000003e syscall=59 success=yes exit=0 pid=13580 uid=1001 exe="/usr/bin/echo" key="opsdeck-s1"',
      // a long argument in pieces
      'type=EXECVE msg=audit(1796212303.400:46): argc=2 a0="echo" a1_len=10 a1[0]=6162636465',
      'type=EXECVE msg=audit(1796212303.400:46): a1[1]=6667686970',
      'type=SYSCALL msg=audit(1796212303.500:47): arch=c000003e syscall=59 success=no exit=-2 pid=13581 uid=1001 exe="/usr/bin/xargs" key="opsdeck-s1"',
      'type=EXECVE msg=audit(1796212303.500:47): argc=1 a0="nothere"',
    ].join('\n');
    const execs = parseExecRecords(text, 's1');
    expect(execs.map(e => e.argv)).toEqual([
      ['id', '-u'],
      ['python3', '-c', 'import os'],
      ['echo', 'abcdefghip'],
    ]);
    expect(execs[0]).toMatchObject({
      sessionId: 's1',
      event: '1796212303.205:44',
      pid: 13578,
      ppid: 13576,
      uid: 1001,
      exe: '/usr/bin/id',
      cwd: '/home/opsdeck',
      at: new Date(1796212303205).toISOString(),
    });
  });
});
