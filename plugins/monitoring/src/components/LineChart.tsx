import type { PanelData } from '@opsdeck/plugin-monitoring-common';

const COLORS = ['#1976d2', '#e65100', '#2e7d32', '#6a1b9a', '#c62828'];
const WIDTH = 480;
const HEIGHT = 160;
const PAD = 4;

/** A value in the panel's unit, for axis labels and the latest value. */
export function formatValue(unit: PanelData['unit'], value: number): string {
  if (!Number.isFinite(value)) return '–';
  switch (unit) {
    case 'percent':
      return `${value.toFixed(1)} %`;
    case 'bytesPerSecond': {
      const units = ['B/s', 'KiB/s', 'MiB/s', 'GiB/s'];
      let v = value;
      let i = 0;
      while (v >= 1024 && i < units.length - 1) {
        v /= 1024;
        i++;
      }
      return `${v.toFixed(1)} ${units[i]}`;
    }
    case 'bytes': {
      const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
      let v = value;
      let i = 0;
      while (v >= 1024 && i < units.length - 1) {
        v /= 1024;
        i++;
      }
      return `${v.toFixed(1)} ${units[i]}`;
    }
    case 'perSecond':
      return `${value.toFixed(2)}/s`;
    case 'seconds':
      return `${value.toFixed(1)} s`;
    case 'count':
      return Number.isInteger(value) ? String(value) : value.toFixed(1);
    case 'up':
      return value >= 1 ? '1' : '0';
    case 'statusCode':
      return String(Math.round(value));
    default:
      return value.toFixed(2);
  }
}

/**
 * The series of one panel as SVG lines over a shared time axis (no chart
 * library: a few hundred points per series at most).
 */
export function LineChart(props: {
  panel: PanelData;
  label: (name: string) => string;
  /** The chart's largest value in words (`max 1`, `最大 1`). */
  maxLabel: (value: string) => string;
  ariaLabel: string;
}) {
  const { panel } = props;
  const points = panel.series.flatMap(s => s.points);
  const t0 = Math.min(...points.map(p => p[0]));
  const t1 = Math.max(...points.map(p => p[0]));
  const maxValue = Math.max(
    panel.unit === 'percent' ? 100 : 0,
    panel.unit === 'up' ? 1 : 0,
    ...points.map(p => p[1]).filter(Number.isFinite),
  );
  const x = (t: number) =>
    PAD + ((t - t0) / Math.max(1, t1 - t0)) * (WIDTH - 2 * PAD);
  const y = (v: number) =>
    HEIGHT - PAD - (v / (maxValue || 1)) * (HEIGHT - 2 * PAD);
  return (
    <div>
      <svg
        role="img"
        aria-label={props.ariaLabel}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width="100%"
        height={HEIGHT}
        preserveAspectRatio="none"
        data-testid={`chart-${panel.id}${
          panel.probe ? `-${panel.probe.id}` : ''
        }`}
      >
        <line
          x1={PAD}
          x2={WIDTH - PAD}
          y1={HEIGHT - PAD}
          y2={HEIGHT - PAD}
          stroke="#9e9e9e"
        />
        {panel.series.map((s, i) => (
          <polyline
            key={s.name}
            fill="none"
            stroke={COLORS[i % COLORS.length]}
            strokeWidth={1.5}
            points={s.points
              .filter(p => Number.isFinite(p[1]))
              .map(p => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`)
              .join(' ')}
          />
        ))}
      </svg>
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: 12 }}>
        <span style={{ color: '#757575' }}>
          {props.maxLabel(formatValue(panel.unit, maxValue))}
        </span>
        {panel.series.map((s, i) => (
          <span key={s.name} style={{ color: COLORS[i % COLORS.length] }}>
            {props.label(s.name)}:{' '}
            {formatValue(panel.unit, s.points.at(-1)?.[1] ?? NaN)}
          </span>
        ))}
      </div>
    </div>
  );
}
