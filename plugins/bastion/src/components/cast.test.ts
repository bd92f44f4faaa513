import { parseCast } from './cast';

describe('parseCast', () => {
  it('reads the header and events, skipping a torn last line', () => {
    const text = [
      JSON.stringify({ version: 2, width: 100, height: 30, timestamp: 1 }),
      JSON.stringify([0.1, 'o', '$ ']),
      JSON.stringify([0.5, 'r', '120x40']),
      '[0.9, "o", "cut by a cra',
    ].join('\n');
    expect(parseCast(text)).toEqual({
      width: 100,
      height: 30,
      events: [
        [0.1, 'o', '$ '],
        [0.5, 'r', '120x40'],
      ],
    });
  });

  it('refuses anything but asciicast v2', () => {
    expect(() => parseCast('{"version":1}')).toThrow(/asciicast v2/);
  });
});
