/** Simplified Chinese for the shared host selection field (keys of cmdbReactTranslationRef). */
const zhCN = {
  'selector.label': '主机选择',
  'selector.names': '主机名',
  'selector.system': '系统',
  'selector.owner': '负责人',
  'selector.environment': '环境',
  'selector.tags': '标签（须全部匹配）',
  'selector.previewEmpty': '按主机名、系统、负责人、环境或标签选择主机',
  'selector.previewLoading': '正在统计匹配的主机…',
  'selector.previewNone': '没有匹配的主机',
  'selector.previewCount': '匹配 {{count}} 台主机：{{names}}',
  'selector.previewMore': '{{names}}，…',
  'selector.previewFailed': '无法统计匹配的主机：{{message}}',
};

export default zhCN;
