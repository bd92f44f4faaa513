/** Simplified Chinese for the monitoring plugin (keys of monitoringTranslationRef). */
const zhCN = {
  'tab.title': '监控',
  'range.label': '时间范围',
  'range.1h': '最近 1 小时',
  'range.6h': '最近 6 小时',
  'range.24h': '最近 24 小时',
  'range.7d': '最近 7 天',
  'panels.cpu': 'CPU 使用率',
  'panels.memory': '内存使用率',
  'panels.disk': '磁盘使用率',
  'panels.network': '网络流量',
  'panels.load': '系统负载',
  'panels.up': '采集状态（up）',
  'series.receive': '接收',
  'series.transmit': '发送',
  'state.loading': '正在查询 Prometheus…',
  'state.noData': '此时间范围内没有数据（导出器是否已被采集？）',
  'state.failed': '无法加载图表：{{error}}',
  'state.latest': '最新 {{value}}',
  'state.refresh': '刷新',
};

export default zhCN;
