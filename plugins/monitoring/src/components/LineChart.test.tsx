import { render, screen } from '@testing-library/react';
import { LineChart } from './LineChart';

describe('LineChart', () => {
  it("writes the chart's largest value in the reader's language", () => {
    // zh-CN had "max 1" under every chart: the word came from the chart, not a translation
    render(
      <LineChart
        panel={{
          id: 'probeSuccess',
          unit: 'up',
          series: [{ name: 'success', points: [[1_764_720_000_000, 1]] }],
        }}
        label={name => (name === 'success' ? '成功' : name)}
        maxLabel={value => `最大 ${value}`}
        ariaLabel="探测成功"
      />,
    );
    expect(screen.getByText('最大 1')).toBeInTheDocument();
    expect(screen.getByText('成功: 1')).toBeInTheDocument();
    expect(screen.queryByText(/max/)).toBeNull();
  });
});
